import { PlanResult } from "../plan-runner";
import { KubeObject } from "./client";

/** Plan resource types that are not Kubernetes objects: a Helm release's chart cannot be fetched in CI. */
const NOT_OBJECTS = new Set(["kubernetes:helm.sh/v3:Release"]);

/** A real certificate and key (PEM) to put where the mocks could only compute placeholders. */
export interface TestKeyPair {
    certPem: string;
    keyPem: string;
    caPem: string;
}

/**
 * Every Kubernetes object a plan renders, Namespaces first. Secret values are the plan's "[secret]" placeholders
 * (the mocks' generated values redacted), except in kubernetes.io/tls Secrets: the mocks cannot issue
 * certificates, so `tls` (when given) stands in for tls.crt, tls.key and ca.crt, and the server's own check of the pair runs.
 */
export function objectsOf(plan: PlanResult, tls?: TestKeyPair): KubeObject[] {
    const resources = plan.resources.filter((r) => r.type.startsWith("kubernetes:") && !NOT_OBJECTS.has(r.type));
    const objects = resources.map((r) => structuredClone(r.inputs) as unknown as KubeObject);
    for (const [i, o] of objects.entries()) {
        // Pulumi sends an object under its resource type: a type that disagrees with apiVersion/kind is a bug.
        const type = `kubernetes:${o.apiVersion.includes("/") ? o.apiVersion : `core/${o.apiVersion}`}:${o.kind}`;
        if (type !== resources[i].type) throw new Error(`${resources[i].type} ${resources[i].name} renders a ${o.apiVersion} ${o.kind}`);
        if (!o.metadata?.name) throw new Error(`${o.kind} without metadata.name: the tier applies objects under the name pacstack gives them`);
        if (tls && o.kind === "Secret" && o.type === "kubernetes.io/tls") {
            const data = o.stringData as Record<string, string>;
            const stand = { "tls.crt": tls.certPem, "tls.key": tls.keyPem, "ca.crt": tls.caPem } as Record<string, string>;
            for (const key of Object.keys(data)) data[key] = stand[key] ?? data[key];
        }
    }
    return [...objects.filter((o) => o.kind === "Namespace"), ...objects.filter((o) => o.kind !== "Namespace")];
}

export interface PodTemplate {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
    spec: { volumes?: { name: string }[]; [key: string]: unknown };
}

/** The pod template of a workload object (every kind that has one), or undefined for any other kind. */
export function podTemplateOf(o: KubeObject): PodTemplate | undefined {
    const spec = o.spec as any;
    switch (o.kind) {
        case "Deployment":
        case "StatefulSet":
        case "DaemonSet":
        case "ReplicaSet":
        case "ReplicationController":
        case "Job":
            return spec.template;
        case "CronJob":
            return spec.jobTemplate.spec.template;
        default:
            return undefined;
    }
}

/**
 * The Pod a controller would create from each workload's template (no controller runs beside the API server).
 * A StatefulSet's pods also get the volumes of its claim templates, named as the StatefulSet controller names
 * them (`<claim>-<statefulset>-<ordinal>`).
 */
export function podsOf(objects: KubeObject[]): { owner: string; pod: KubeObject }[] {
    return objects.flatMap((o) => {
        const template = podTemplateOf(o);
        if (!template) return [];
        const spec = structuredClone(template.spec);
        if (o.kind === "StatefulSet") {
            const claims = ((o.spec as any).volumeClaimTemplates ?? []) as { metadata: { name: string } }[];
            spec.volumes = [
                ...(spec.volumes ?? []),
                ...claims.map((c) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: `${c.metadata.name}-${o.metadata.name}-0` } })),
            ];
        }
        const pod: KubeObject = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { generateName: `${o.metadata.name}-`, namespace: o.metadata.namespace, ...structuredClone(template.metadata ?? {}) },
            spec,
        };
        return [{ owner: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, pod }];
    });
}
