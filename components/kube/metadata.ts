import { createHash } from "node:crypto";

/** Recommended Kubernetes labels for an object pacstack owns. */
export function appLabels(app: string, instance: string): Record<string, string> {
    return {
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/part-of": "pacstack",
    };
}

/** The subset of appLabels that selects pods; stable across upgrades. */
export function selectorLabels(app: string, instance: string): Record<string, string> {
    return { "app.kubernetes.io/instance": instance, "app.kubernetes.io/name": app };
}

/** JSON with object keys sorted at every level, so rendered documents never cause spurious diffs. */
export function stableJson(value: unknown): string {
    return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

export function sortKeys(value: unknown): unknown {
    if (Array.isArray(value)) {
        return value.map(sortKeys);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value)
                .sort()
                .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

/**
 * Pod-template annotation holding Certificates.checksumOf the TLS Secrets a pod mounts: a renewed certificate
 * changes it and so rolls the pods (none of pacstack's servers reloads certificate files by itself).
 */
export const CERTIFICATES_CHECKSUM_ANNOTATION = "pacstack.io/certificates-checksum";

/** SHA-256 of rendered documents, for a pod-template annotation that rolls the pods when they change. */
export function contentChecksum(...documents: string[]): string {
    return createHash("sha256").update(documents.join("\0")).digest("hex");
}
