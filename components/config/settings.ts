import * as pulumi from "@pulumi/pulumi";
import { LEAF_PATHS, LEAF_SETTINGS, LeafKey, LeafSpec, SETTINGS, leafPath } from "./schema";
import { ModalitySetting } from "./modalities";
import { OrthancPluginName } from "../orthanc/plugins";
import { ForwardingSetting, PeerSetting } from "./peers";
import { showSetting } from "./show";
import type { SizedService } from "./sizing";
import { nearest } from "./suggest";
import { ArchiveKind, PlatformKind } from "./schema";

/**
 * The settings a program passes to a Platform, grouped as in a stack file. Every field has the default the
 * configuration reference gives (README, generated from components/config/schema.ts).
 */
export interface PlatformSettings {
    /** Where the cluster runs: selects storage class, how Traefik is exposed and resource sizes. */
    platform: PlatformKind;
    /** Host name for HTTPS and DICOM-TLS; web and DICOM certificates are issued for it (another resource's output works). */
    domain: pulumi.Input<string>;
    /** Namespace of the archive tier; Traefik runs in `<namespace>-ingress`. @default "pacstack" */
    namespace?: string;
    /** kubeconfig context of the provider pacstack builds when none is given. @default the current context */
    kubeContext?: string;
    /** kubeconfig file of that provider. @default $KUBECONFIG or ~/.kube/config */
    kubeconfig?: string;
    /** Storage class of the database and DICOM volumes (another resource's output works). @default the platform's */
    storageClass?: pulumi.Input<string>;
    /**
     * DICOM modalities, each with a client certificate: a name, or an entry with its AE title, rights and destination
     * (README, "Modalities and their rights"). @default []
     */
    modalities?: ModalitySetting[];
    /**
     * Peers of pacstack's NetworkPolicies: where DNS and the API server are, who may scrape metrics.
     * @default the platform's (README: NetworkPolicies)
     */
    network?: {
        dns?: { namespace?: string; podLabels?: Record<string, string>; cidrs?: string[]; ports?: number[] };
        apiServer?: { cidrs?: string[]; ports?: number[] };
        monitoringNamespace?: string;
    };
    /**
     * Existing kubernetes.io/tls Secret in `namespace` for HTTPS, e.g. the name of a cert-manager Certificate's Secret.
     * @default a certificate from the pacstack CA
     */
    webTlsSecret?: pulumi.Input<string>;
    /** Largest HTTP request body the edge and Orthanc accept, in MiB (README, "Sizing"). @default 2048 */
    uploadLimitMiB?: number;
    /** Single sign-on (Keycloak + oauth2-proxy) or the one shared web user. @default "sso" */
    login?: "sso" | "basic";
    /**
     * CPU and memory per service over the platform's, any field optional (README, "Sizing").
     * @default the platform's
     */
    resources?: Partial<Record<SizedService, { requests?: { cpu?: string; memory?: string }; limits?: { cpu?: string; memory?: string } }>>;
    orthanc?: {
        /** @default 1 (more needs sharedStorageClass) */
        replicas?: number;
        /** ReadWriteMany storage class, required with more than one replica. */
        sharedStorageClass?: pulumi.Input<string>;
        /** @default the platform's (20Gi on minikube/MicroK8s, 500Gi on cloud) */
        storageSize?: string;
        /** Orthanc's temporary volume. @default twice uploadLimitMiB, at least 4Gi */
        temporarySize?: string;
        /** @default "ORTHANC" */
        aeTitle?: string;
        /** Pinned image reference. @default "docker.io/orthancteam/orthanc:26.6.1" */
        image?: string;
        /**
         * Optional plugins of the image to load (README, "Orthanc plugins").
         * @default ["explorer2", "gdcm"], those of them the image carries
         */
        plugins?: OrthancPluginName[];
        /**
         * Orthanc configuration pacstack does not model, deep-merged last; security keys, keys pacstack sets and
         * secrets are refused (README, "Extra Orthanc configuration"). @default {}
         */
        extraConfig?: Record<string, unknown>;
        /** Other Orthancs this one sends to over HTTPS (README, "Peers and forwarding"). @default [] */
        peers?: PeerSetting[];
        /** What Orthanc sends on by itself: every stable study to a peer or a modality. @default [] */
        forwarding?: ForwardingSetting[];
        /** Seconds without a new instance before a study is stable (and forwarded). @default 60 */
        stableAgeSeconds?: number;
    };
    postgres?: {
        /** Bitnami postgresql chart version. @default "16.7.27" */
        chartVersion?: string;
        /** A Bitnami-built image; the default gets no security fixes (README, "PostgreSQL image"). @default "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4" */
        image?: string;
        /** Existing docker-registry Secrets the pod pulls the image with. @default [] */
        imagePullSecrets?: string[];
        /** @default the platform's (5Gi on minikube/MicroK8s, 50Gi on cloud) */
        storageSize?: string;
    };
    traefik?: {
        /** traefik chart version. @default "41.3.0" */
        chartVersion?: string;
        /** @default "docker.io/traefik:v3.7.11" */
        image?: string;
        /** Open connections one client address may hold on each DICOM-TLS and HL7-TLS port; 1 to 1024. @default 16 */
        dicomConnectionsPerSource?: number;
    };
    viewer?: {
        /** OHIF image; a viewer under a prefix needs one built with PUBLIC_URL=<prefix>/. @default "docker.io/ohif/app:v3.13.2" */
        image?: string;
    };
    dcm4chee?: {
        /** @default "DCM4CHEE" */
        aeTitle?: string;
        /** @default "docker.io/dcm4che/dcm4chee-arc-psql:5.34.3" */
        image?: string;
        /** @default "docker.io/dcm4che/slapd-dcm4chee:2.6.10-34.3" */
        ldapImage?: string;
        /** @default "docker.io/dcm4che/postgres-dcm4chee:17.4-34" */
        databaseImage?: string;
        /** @default the platform's (20Gi on minikube/MicroK8s, 500Gi on cloud) */
        storageSize?: string;
        /** @default the platform's (5Gi on minikube/MicroK8s, 50Gi on cloud) */
        databaseSize?: string;
    };
    /** Lifetime of the leaf certificates pacstack issues (README, "Certificate lifecycle"). */
    certificates?: {
        /** @default 365 */
        validityDays?: number;
        /** A `pulumi up` within this many days of expiry renews. @default 30 */
        renewBeforeDays?: number;
    };
    /** Scheduled dumps of every PostgreSQL onto a volume kept on destroy (README, "Backup and restore"). */
    backup?: {
        /** @default true */
        enabled?: boolean;
        /** Cron schedule in UTC. @default "30 1 * * *" */
        schedule?: string;
        /** Complete backups kept, 1 to 1000. @default 7 */
        retention?: number;
        /** With target s3: the scratch volume each run dumps into. @default the size of the database volume it backs up */
        storageSize?: string;
        /** "volume" (a claim kept on destroy) or "s3" (the bucket in `s3`). @default "volume" */
        target?: "volume" | "s3";
        /** The S3-compatible bucket, with target s3 (components/config/backup-target.ts). @default {} */
        s3?: {
            /** https://host[:port]; http:// only with allowHttp. */
            endpoint?: string;
            bucket?: string;
            /** Folder inside the bucket. @default "" */
            prefix?: string;
            /** @default "us-east-1" */
            region?: string;
            /** @default true */
            pathStyle?: boolean;
            /** Set with `pulumi config set --secret`; kept in a Kubernetes Secret. */
            accessKeyId?: string;
            /** Set with `pulumi config set --secret`; kept in a Kubernetes Secret. */
            secretAccessKey?: string;
            /** PEM CA certificates of a private endpoint. @default "" */
            caBundle?: string;
            /** @default false */
            allowHttp?: boolean;
            /** @default "docker.io/rclone/rclone:1.76.0" */
            image?: string;
        };
    };
    keycloak?: {
        /** Keycloak pods; several form one cluster. @default 1 */
        replicas?: number;
        /** The official Keycloak image, pinned. @default "quay.io/keycloak/keycloak:26.7.3" */
        image?: string;
        /** codecentric keycloakx chart version. @default "7.1.11" */
        chartVersion?: string;
        /** Node image of the realm sync Job. @default "docker.io/library/node:24.21.0-alpine" */
        syncImage?: string;
        /** Shortest password the realm accepts. @default 12 */
        passwordMinLength?: number;
    };
    /** Cloud only: source ranges, internal load balancer and annotations of the edge's load balancer. @default open, public */
    exposure?: { sourceRanges?: string[]; dicomSourceRanges?: string[]; internal?: "" | "aws" | "azure" | "gcp"; annotations?: Record<string, string> };
    /** The sites (one is supported). @default one site with Orthanc, the viewer at / */
    sites?: {
        /** @default ["orthanc"] */
        archives?: ArchiveKind[];
        /** @default the first of archives */
        defaultArchive?: ArchiveKind;
        /** "/" or a prefix like "/viewer". @default "/" */
        viewerPath?: string;
    }[];
}

/** The values of a settings object under their flat names, and the name each one was given by (for messages). */
export interface FlatSettings {
    values: Partial<Record<LeafKey, unknown>>;
    /** How the user wrote each key: `orthanc.replicas`, `sites[0].archives`, or a flat name still accepted. */
    written: Partial<Record<LeafKey, string>>;
    problems: string[];
}

const show = showSetting;
const GROUP_FIELDS: Record<string, Record<string, LeafKey>> = {};
for (const [key, at] of Object.entries(LEAF_PATHS) as [LeafKey, { group: string; field: string }][]) {
    (GROUP_FIELDS[at.group] ??= {})[at.field] = key;
}

/** Pulumi hands objects and lists over as JSON text; programs pass them as they are. */
function parsed(value: unknown): unknown {
    if (typeof value !== "string") {
        return value;
    }
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Flattens grouped settings (`orthanc: { replicas }`, `sites: [{ archives }]`) and the flat names still accepted
 * (`orthancReplicas`) into one map. A value set both ways, an unknown key or field, and more than one site are
 * problems, each naming the key as written and, where there is one, the nearest valid key.
 */
export function flattenSettings(raw: Record<string, unknown>): FlatSettings {
    const flat: FlatSettings = { values: {}, written: {}, problems: [] };
    const set = (key: LeafKey, value: unknown, written: string) => {
        if (flat.written[key] !== undefined) {
            flat.problems.push(`pacstack:${written} = ${show(value)}: pacstack:${flat.written[key]} sets the same value; keep only pacstack:${leafPath(key)}`);
            return;
        }
        flat.values[key] = value;
        flat.written[key] = written;
    };
    const groupFields = (group: string, prefix: string, value: unknown) => {
        if (!isObject(value)) {
            flat.problems.push(`pacstack:${prefix} = ${show(value)}: must be an object with the fields ${Object.keys(GROUP_FIELDS[group]).join(", ")}`);
            return;
        }
        for (const [field, fieldValue] of Object.entries(value)) {
            const key = GROUP_FIELDS[group][field];
            if (key) {
                set(key, fieldValue, `${prefix}.${field}`);
            } else {
                const guess = nearest(field, Object.keys(GROUP_FIELDS[group]));
                flat.problems.push(
                    `pacstack:${prefix}.${field} = ${show(fieldValue)}: unknown field; allowed fields are ${Object.keys(GROUP_FIELDS[group]).join(", ")}` +
                        (guess ? ` (did you mean pacstack:${prefix}.${guess}?)` : ""),
                );
            }
        }
    };
    const keys = Object.keys(raw).sort();
    // Grouped keys first, so that a flat name setting the same value is the one reported.
    for (const key of keys.filter((k) => k in SETTINGS && !(k in LEAF_SETTINGS))) {
        const value = parsed(raw[key]);
        if (key !== "sites") {
            groupFields(key, key, value);
        } else if (!Array.isArray(value) || !value.every(isObject)) {
            flat.problems.push(`pacstack:sites = ${show(value)}: must be a list of sites like [{"archives":["orthanc"]}]`);
        } else if (value.length > 1) {
            flat.problems.push(`pacstack:sites = ${show(value)}: one site is supported (several need a namespace and an edge host each, which pacstack does not build yet)`);
        } else if (value.length === 1) {
            groupFields("sites", "sites[0]", value[0]);
        }
    }
    const flatName = (key: string) => key in LEAF_SETTINGS && !(LEAF_SETTINGS[key as LeafKey] as LeafSpec).groupedOnly;
    for (const key of keys.filter(flatName)) {
        set(key as LeafKey, raw[key], key);
    }
    const known = [...Object.keys(SETTINGS), ...Object.keys(LEAF_PATHS)];
    for (const key of keys.filter((k) => !(k in SETTINGS) && !flatName(k))) {
        const guess = nearest(key, known);
        const suggestion = guess && guess in LEAF_SETTINGS ? leafPath(guess as LeafKey) : guess;
        flat.problems.push(
            `pacstack:${key} = ${show(raw[key])}: unknown setting; allowed settings are ${Object.keys(SETTINGS).join(", ")}` +
                (suggestion ? ` (did you mean pacstack:${suggestion}?)` : ""),
        );
    }
    return flat;
}
