import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { appLabels, contentChecksum } from "../kube/metadata";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kube/security";
import { BACKUP_DIR_ENV, PASSWORD_FILE_ENV } from "./script";

export const BACKUP_APP = "database-backup";
/** Files of the scripts ConfigMap. */
export const BACKUP_SCRIPT_FILE = "backup.sh";
export const RESTORE_SCRIPT_FILE = "restore.sh";
/** Where the backup pod mounts things. */
export const BACKUP_MOUNTS = { scripts: "/etc/pacstack/backup", password: "/run/secrets/pacstack", tls: "/etc/pacstack/backup-tls", target: "/backup", tmp: "/tmp" } as const;

/** Everything the backup CronJob depends on, as plain values. */
export interface BackupWorkloadInput {
    /** The CronJob's name (also its ServiceAccount's, ConfigMap's and claim's prefix). */
    name: string;
    namespace: string;
    /** An image with bash, pg_dump and pg_restore at least as new as the server (the database's own image). */
    image: string;
    /** uid and gid the pod runs as (the image's database user). */
    uid: number;
    /** Cron schedule, in UTC. */
    schedule: string;
    resources: ContainerResources;
    /** The database server and the role the dumps connect as. */
    database: { host: string; port: number; username: string; passwordSecret: { name: string; key: string } };
    /** kubernetes.io/tls Secret whose ca.crt signed the database's certificate (verify-full against its Service name). */
    tlsSecretName: string;
    scriptsConfigMap: string;
    /** The rendered scripts, hashed into the pod template. */
    scripts: Record<string, string>;
    claimName: string;
    storage: { size: string; storageClass?: pulumi.Input<string> };
}

/** Seconds a run may take before Kubernetes fails it. */
export const BACKUP_DEADLINE_SECONDS = 6 * 3600;

/**
 * libpq's environment of the backup container: TLS with the server's certificate verified for its Service name
 * (verify-full), the password read from the database's Secret, mounted as a file.
 */
export function renderBackupEnv(input: Pick<BackupWorkloadInput, "database">) {
    return [
        { name: BACKUP_DIR_ENV, value: BACKUP_MOUNTS.target },
        { name: "PGCONNECT_TIMEOUT", value: "30" },
        { name: "PGHOST", value: input.database.host },
        { name: PASSWORD_FILE_ENV, value: `${BACKUP_MOUNTS.password}/password` },
        { name: "PGPORT", value: String(input.database.port) },
        { name: "PGSSLMODE", value: "verify-full" },
        { name: "PGSSLROOTCERT", value: `${BACKUP_MOUNTS.tls}/ca.crt` },
        { name: "PGUSER", value: input.database.username },
    ];
}

/**
 * The CronJob: one run at a time (a slow run is never overlapped), a failed run retried twice and then kept as a
 * failed Job (the CronJob's history shows it), a run that misses its slot by more than an hour skipped, not queued.
 */
export function renderBackupCronJob(input: BackupWorkloadInput) {
    const labels = appLabels(BACKUP_APP, input.name);
    return {
        apiVersion: "batch/v1" as const,
        kind: "CronJob" as const,
        metadata: { labels, name: input.name, namespace: input.namespace },
        spec: {
            concurrencyPolicy: "Forbid",
            failedJobsHistoryLimit: 3,
            schedule: input.schedule,
            startingDeadlineSeconds: 3600,
            successfulJobsHistoryLimit: 3,
            timeZone: "Etc/UTC",
            jobTemplate: {
                metadata: { labels },
                spec: {
                    activeDeadlineSeconds: BACKUP_DEADLINE_SECONDS,
                    backoffLimit: 2,
                    template: {
                        metadata: { annotations: { "pacstack.io/config-checksum": contentChecksum(...Object.keys(input.scripts).sort().map((f) => input.scripts[f])) }, labels },
                        spec: {
                            automountServiceAccountToken: false,
                            containers: [
                                {
                                    command: ["/bin/bash", `${BACKUP_MOUNTS.scripts}/${BACKUP_SCRIPT_FILE}`],
                                    env: renderBackupEnv(input),
                                    image: input.image,
                                    imagePullPolicy: "IfNotPresent",
                                    name: "backup",
                                    resources: input.resources,
                                    securityContext: restrictedContainerSecurityContext(),
                                    volumeMounts: [
                                        { mountPath: BACKUP_MOUNTS.scripts, name: "scripts", readOnly: true },
                                        { mountPath: BACKUP_MOUNTS.password, name: "password", readOnly: true },
                                        { mountPath: BACKUP_MOUNTS.tls, name: "tls", readOnly: true },
                                        { mountPath: BACKUP_MOUNTS.target, name: "target" },
                                        { mountPath: BACKUP_MOUNTS.tmp, name: "tmp" },
                                    ],
                                },
                            ],
                            restartPolicy: "Never",
                            securityContext: restrictedPodSecurityContext(input.uid),
                            serviceAccountName: input.name,
                            volumes: [
                                { configMap: { defaultMode: 0o444, name: input.scriptsConfigMap }, name: "scripts" },
                                {
                                    name: "password",
                                    secret: { defaultMode: 0o440, items: [{ key: input.database.passwordSecret.key, path: "password" }], secretName: input.database.passwordSecret.name },
                                },
                                { name: "tls", secret: { defaultMode: 0o444, items: [{ key: "ca.crt", path: "ca.crt" }], secretName: input.tlsSecretName } },
                                { name: "target", persistentVolumeClaim: { claimName: input.claimName } },
                                { emptyDir: { sizeLimit: "64Mi" }, name: "tmp" },
                            ],
                        },
                    },
                },
            },
        },
    };
}

/** The backups' own volume, kept on `pulumi destroy` like the data it protects. */
export function renderBackupClaim(input: Pick<BackupWorkloadInput, "name" | "namespace" | "claimName" | "storage">) {
    return {
        apiVersion: "v1" as const,
        kind: "PersistentVolumeClaim" as const,
        metadata: { labels: appLabels(BACKUP_APP, input.name), name: input.claimName, namespace: input.namespace },
        spec: {
            accessModes: ["ReadWriteOnce"],
            resources: { requests: { storage: input.storage.size } },
            ...(input.storage.storageClass ? { storageClassName: input.storage.storageClass } : {}),
        },
    };
}
