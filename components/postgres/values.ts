import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { ImageRef } from "../config/image";
import { postgresMemorySettings } from "../config/sizing";

export const POSTGRES_CHART = "oci://registry-1.docker.io/bitnamicharts/postgresql";
export const POSTGRES_PORT = 5432;
/** uid and gid of the chart's PostgreSQL container (the Bitnami image's user). */
export const POSTGRES_UID = 1001;
/** Keys of the credentials Secret, as the chart's auth.existingSecret expects them. */
export const ADMIN_PASSWORD_KEY = "postgres-password";
export const USER_PASSWORD_KEY = "password";
/**
 * PostgreSQL's session limit, pinned (it is also PostgreSQL's default). Orthanc processes hold
 * ORTHANC_INDEX_CONNECTIONS sessions each (components/orthanc/config.ts); 3 more are reserved for superusers.
 */
export const POSTGRES_MAX_CONNECTIONS = 100;
export const POSTGRES_RESERVED_CONNECTIONS = 3;

/**
 * Server settings pacstack adds to the chart's postgresql.conf. Durability stays at PostgreSQL's defaults (fsync,
 * synchronous_commit, full_page_writes on): an acknowledged C-STORE is a committed, flushed transaction.
 */
export const POSTGRES_SETTINGS: Record<string, string> = {
    password_encryption: "scram-sha-256",
    ssl_min_protocol_version: "TLSv1.2",
    max_connections: String(POSTGRES_MAX_CONNECTIONS),
    superuser_reserved_connections: String(POSTGRES_RESERVED_CONNECTIONS),
    // A client that vanished with its node (no FIN, no RST) is noticed after 60 + 6 x 10 s instead of the kernel's
    // two hours: its sessions, and the single-replica Orthanc's advisory lock (PostgreSQL.Lock), are released so
    // the replacement pod can start.
    tcp_keepalives_idle: "60",
    tcp_keepalives_interval: "10",
    tcp_keepalives_count: "6",
};

/**
 * Helper images of the chart, in the same registry and organisation as the PostgreSQL image, so one mirror
 * serves all three. Tags are those of chart 16.7.27, the last published with Debian images before Bitnami
 * froze them into docker.io/bitnamilegacy (August 2025).
 */
export const HELPER_IMAGE_TAGS = { "os-shell": "12-debian-12-r51", "postgres-exporter": "0.17.1-debian-12-r16" } as const;

/**
 * The whole pg_hba.conf the chart mounts (its `primary.pgHbaConfiguration`; the chart's own default is
 * `host all all 0.0.0.0/0 md5`, which accepts unencrypted sessions). Network sessions must use TLS and SCRAM;
 * unencrypted ones are rejected by name rather than by falling off the end of the file. The Unix socket (the
 * chart's init scripts and probes inside the pod) also asks for the SCRAM password.
 */
export function renderPgHba(): string {
    return [
        "# TYPE    DATABASE  USER  ADDRESS     METHOD",
        "local     all       all              scram-sha-256",
        "hostssl   all       all   0.0.0.0/0   scram-sha-256",
        "hostssl   all       all   ::/0        scram-sha-256",
        "hostnossl all       all   0.0.0.0/0   reject",
        "hostnossl all       all   ::/0        reject",
        "",
    ].join("\n");
}

export interface PostgresValuesInput {
    /** Release name and fullnameOverride: the Service is reachable under this name. */
    fullname: string;
    image: ImageRef;
    database: string;
    username: string;
    credentialsSecret: string;
    tlsSecret: string;
    storage: { size: string; storageClass?: pulumi.Input<string> };
    resources: ContainerResources;
    /** Existing docker-registry Secrets the pod pulls the image with. @default none */
    imagePullSecrets?: string[];
    /** Annotations of the database pod (a checksum of its certificate, so that a renewal restarts it). @default none */
    podAnnotations?: Record<string, pulumi.Input<string>>;
}

function sibling(image: ImageRef, name: keyof typeof HELPER_IMAGE_TAGS): ImageRef {
    const organisation = image.repository.includes("/") ? image.repository.slice(0, image.repository.lastIndexOf("/") + 1) : "";
    return { registry: image.registry, repository: `${organisation}${name}`, tag: HELPER_IMAGE_TAGS[name] };
}

/** Values for the Bitnami postgresql chart (16.7.x). Paths checked against that chart's values.yaml. */
export function renderPostgresValues(input: PostgresValuesInput): Record<string, unknown> {
    return {
        auth: {
            database: input.database,
            enablePostgresUser: true,
            existingSecret: input.credentialsSecret,
            secretKeys: { adminPasswordKey: ADMIN_PASSWORD_KEY, userPasswordKey: USER_PASSWORD_KEY },
            usePasswordFiles: true,
            username: input.username,
        },
        fullnameOverride: input.fullname,
        // Bitnami's check refuses images outside docker.io/bitnami unless told that the substitution is deliberate.
        global: { security: { allowInsecureImages: true }, ...(input.imagePullSecrets?.length ? { imagePullSecrets: input.imagePullSecrets } : {}) },
        image: { registry: input.image.registry, repository: input.image.repository, tag: input.image.tag },
        metrics: { enabled: false, image: sibling(input.image, "postgres-exporter") },
        primary: {
            automountServiceAccountToken: false,
            containerSecurityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ["ALL"] },
                enabled: true,
                privileged: false,
                readOnlyRootFilesystem: true,
                runAsGroup: POSTGRES_UID,
                runAsNonRoot: true,
                runAsUser: POSTGRES_UID,
                seccompProfile: { type: "RuntimeDefault" },
            },
            // Durability stays at PostgreSQL's defaults (fsync, synchronous_commit, full_page_writes on).
            extendedConfiguration: [
                ...Object.entries({ ...POSTGRES_SETTINGS, ...postgresMemorySettings(input.resources.limits.memory, POSTGRES_MAX_CONNECTIONS) }).map(
                    ([key, value]) => `${key} = '${value}'`,
                ),
                "",
            ].join("\n"),
            livenessProbe: { enabled: true },
            // pacstack renders the database's NetworkPolicy itself, next to the others.
            networkPolicy: { enabled: false },
            pgHbaConfiguration: renderPgHba(),
            pdb: { create: true, maxUnavailable: 1 },
            persistence: {
                accessModes: ["ReadWriteOnce"],
                enabled: true,
                size: input.storage.size,
                ...(input.storage.storageClass ? { storageClass: input.storage.storageClass } : {}),
            },
            // The StatefulSet's claim outlives the release: `pulumi destroy` keeps the database.
            persistentVolumeClaimRetentionPolicy: { enabled: true, whenDeleted: "Retain", whenScaled: "Retain" },
            ...(input.podAnnotations ? { podAnnotations: input.podAnnotations } : {}),
            podSecurityContext: { enabled: true, fsGroup: POSTGRES_UID, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } },
            readinessProbe: { enabled: true },
            resources: input.resources,
            resourcesPreset: "none",
        },
        serviceAccount: { automountServiceAccountToken: false, create: true },
        tls: {
            certFilename: "tls.crt",
            certKeyFilename: "tls.key",
            certificatesSecret: input.tlsSecret,
            enabled: true,
        },
        volumePermissions: { enabled: false, image: sibling(input.image, "os-shell") },
    };
}
