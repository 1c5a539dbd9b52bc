import { ImageRef, parseImage } from "./image";
import { ContainerResources, PLATFORM_PROFILES, PlatformProfile } from "./platform";
import { PLATFORMS, PlatformKind, SETTINGS, SettingKey, SettingSpec } from "./schema";

/** The validated, typed form of a stack's `pacstack:*` settings. Every default is already applied. */
export interface PlatformConfig {
    platform: PlatformKind;
    domain: string;
    /** Namespace of the archive tier. */
    namespace: string;
    /** Namespace of the Traefik ingress. */
    ingressNamespace: string;
    kubernetes: { context?: string; kubeconfig?: string };
    /** Storage class for ReadWriteOnce volumes; undefined means the cluster default. */
    storageClass?: string;
    serviceType: PlatformProfile["serviceType"];
    orthanc: {
        replicas: number;
        aeTitle: string;
        image: ImageRef;
        storageSize: string;
        /** Storage class of the DICOM file volume. */
        storageClass?: string;
        accessMode: "ReadWriteOnce" | "ReadWriteMany";
        resources: ContainerResources;
    };
    postgres: {
        chartVersion: string;
        image: ImageRef;
        storageSize: string;
        resources: ContainerResources;
    };
    traefik: {
        chartVersion: string;
        image: ImageRef;
        resources: ContainerResources;
    };
    modalities: string[];
    /** Existing TLS Secret for HTTPS; undefined means pacstack issues one. */
    webTlsSecret?: string;
    uploadLimitMiB: number;
}

/** Raised for invalid settings, before any resource is registered. Lists every problem found. */
export class PlatformConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid pacstack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PlatformConfigError";
    }
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const AE_TITLE = /^[A-Za-z0-9_.-]{1,16}$/;
const QUANTITY = /^[1-9][0-9]*(Mi|Gi|Ti)$/;
const SEMVER = /^[0-9]+\.[0-9]+\.[0-9]+$/;

function isDomain(value: string): boolean {
    const labels = value.split(".");
    return value.length <= 253 && labels.length >= 2 && labels.every((l) => DNS_LABEL.test(l));
}

/** Reads one raw value (Pulumi passes strings; programs may pass native values) as the declared type. */
function coerce(spec: SettingSpec, raw: unknown): unknown {
    if (typeof raw !== "string") {
        return raw;
    }
    switch (spec.type) {
        case "integer":
            return /^-?[0-9]+$/.test(raw.trim()) ? Number(raw) : raw;
        case "boolean":
            return raw === "true" ? true : raw === "false" ? false : raw;
        case "array":
            try {
                return JSON.parse(raw);
            } catch {
                return raw;
            }
        default:
            return raw;
    }
}

function show(value: unknown): string {
    return JSON.stringify(value);
}

/**
 * Turns raw settings (keys without the `pacstack:` prefix) into a PlatformConfig.
 * Throws one PlatformConfigError naming every bad key, its value and what is allowed.
 */
export function validatePlatformConfig(raw: Record<string, unknown>): PlatformConfig {
    const problems: string[] = [];
    const values: Record<string, unknown> = {};

    for (const key of Object.keys(raw).sort()) {
        if (!(key in SETTINGS)) {
            problems.push(`pacstack:${key} = ${show(raw[key])}: unknown setting; allowed settings are ${Object.keys(SETTINGS).join(", ")}`);
        }
    }
    for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, SettingSpec][]) {
        const value = raw[key] === undefined ? spec.default : coerce(spec, raw[key]);
        if (value === undefined) {
            problems.push(`pacstack:${key} is missing: ${spec.description}`);
            continue;
        }
        const typeOk =
            (spec.type === "string" && typeof value === "string") ||
            (spec.type === "integer" && Number.isInteger(value)) ||
            (spec.type === "boolean" && typeof value === "boolean") ||
            (spec.type === "array" && Array.isArray(value) && value.every((v) => typeof v === "string"));
        if (!typeOk) {
            const expected = spec.type === "array" ? "a list of strings" : `a ${spec.type}`;
            problems.push(`pacstack:${key} = ${show(value)}: must be ${expected}`);
            continue;
        }
        values[key] = value;
    }

    const check = (key: SettingKey, ok: () => boolean, allowed: string) => {
        if (key in values && !ok()) {
            problems.push(`pacstack:${key} = ${show(values[key])}: ${allowed}`);
            delete values[key];
        }
    };
    const str = (key: SettingKey) => values[key] as string;
    const num = (key: SettingKey) => values[key] as number;

    check("platform", () => (PLATFORMS as readonly string[]).includes(str("platform")), `must be one of ${PLATFORMS.join(", ")}`);
    check("domain", () => isDomain(str("domain")), "must be a lowercase DNS name with at least two labels, e.g. pacs.example.org");
    check("namespace", () => DNS_LABEL.test(str("namespace")) && str("namespace").length <= 53, "must be a lowercase DNS label of at most 53 characters");
    check("orthancReplicas", () => num("orthancReplicas") >= 1 && num("orthancReplicas") <= 10, "must be an integer from 1 to 10");
    check("orthancAeTitle", () => AE_TITLE.test(str("orthancAeTitle")), "must be 1-16 characters of letters, digits, _ . -");
    for (const key of ["orthancStorageSize", "postgresStorageSize"] as const) {
        check(key, () => str(key) === "" || QUANTITY.test(str(key)), "must be empty or a size like 20Gi (Mi, Gi or Ti)");
    }
    for (const key of ["postgresChartVersion", "traefikChartVersion"] as const) {
        check(key, () => SEMVER.test(str(key)), "must be an exact chart version like 1.2.3");
    }
    for (const key of ["orthancImage", "postgresImage", "traefikImage"] as const) {
        check(key, () => parseImage(str(key)) !== undefined, "must be an image reference pinned by tag or digest, e.g. docker.io/org/name:1.2.3 (latest is refused)");
    }
    for (const key of ["storageClass", "orthancSharedStorageClass", "webTlsSecret"] as const) {
        check(key, () => str(key) === "" || DNS_LABEL.test(str(key)), "must be empty or a lowercase DNS label");
    }
    const modalities = (values.modalities as string[] | undefined) ?? [];
    check(
        "modalities",
        () => modalities.every((m) => DNS_LABEL.test(m) && m.length <= 40) && new Set(modalities).size === modalities.length,
        "must be distinct lowercase DNS labels of at most 40 characters",
    );
    check("uploadLimitMiB", () => num("uploadLimitMiB") >= 1 && num("uploadLimitMiB") <= 65536, "must be an integer from 1 to 65536");
    if (num("orthancReplicas") > 1 && str("orthancSharedStorageClass") === "") {
        problems.push(
            `pacstack:orthancReplicas = ${num("orthancReplicas")}: more than one Orthanc pod shares the DICOM files, ` +
                `so pacstack:orthancSharedStorageClass must name a ReadWriteMany storage class (for example nfs-client, efs-sc or azurefile)`,
        );
    }

    if (problems.length > 0) {
        throw new PlatformConfigError(problems);
    }

    const platform = str("platform") as PlatformKind;
    const profile = PLATFORM_PROFILES[platform];
    const optional = (key: SettingKey) => (str(key) === "" ? undefined : str(key));
    const storageClass = optional("storageClass") ?? profile.storageClass;
    const sharedStorageClass = optional("orthancSharedStorageClass");
    return {
        platform,
        domain: str("domain"),
        namespace: str("namespace"),
        ingressNamespace: `${str("namespace")}-ingress`,
        kubernetes: { context: optional("kubeContext"), kubeconfig: optional("kubeconfig") },
        storageClass,
        serviceType: profile.serviceType,
        orthanc: {
            replicas: num("orthancReplicas"),
            aeTitle: str("orthancAeTitle"),
            image: parseImage(str("orthancImage"))!,
            storageSize: optional("orthancStorageSize") ?? profile.orthancStorageSize,
            storageClass: sharedStorageClass ?? storageClass,
            accessMode: sharedStorageClass ? "ReadWriteMany" : "ReadWriteOnce",
            resources: profile.resources.orthanc,
        },
        postgres: {
            chartVersion: str("postgresChartVersion"),
            image: parseImage(str("postgresImage"))!,
            storageSize: optional("postgresStorageSize") ?? profile.postgresStorageSize,
            resources: profile.resources.postgres,
        },
        traefik: {
            chartVersion: str("traefikChartVersion"),
            image: parseImage(str("traefikImage"))!,
            resources: profile.resources.traefik,
        },
        modalities,
        webTlsSecret: optional("webTlsSecret"),
        uploadLimitMiB: num("uploadLimitMiB"),
    };
}
