import { ContainerResources } from "../config/platform";
import { appLabels } from "../kube/metadata";
import { restrictedContainerSecurityContext } from "../kube/security";
import { REMOTE_ENV, RESTORE_BACKUP_ENV, S3_CREDENTIALS_ENV } from "./s3-scripts";
import { BACKUP_DIR_ENV } from "./script";
import { BACKUP_APP, BACKUP_MOUNTS, BackupWorkloadInput, renderBackupCronJob, RESTORE_SCRIPT_FILE, renderBackupEnv } from "./workload";

export const UPLOAD_SCRIPT_FILE = "upload.sh";
export const DOWNLOAD_SCRIPT_FILE = "download.sh";
/** The CA bundle of a private endpoint, beside the scripts in their ConfigMap. */
export const S3_CA_FILE = "s3-ca.crt";
/** Keys of the Secret that holds the bucket's credentials (also the names of the files it is mounted as). */
export const S3_SECRET_KEYS = { accessKeyId: "access-key-id", secretAccessKey: "secret-access-key" } as const;
/** Where the rclone containers mount that Secret; the scripts read it into rclone's environment for rclone only. */
export const S3_CREDENTIALS_MOUNT = "/run/secrets/pacstack-s3";

/** The bucket as the pod sees it: everything but the credentials, which stay in the Secret `secretName`. */
export interface S3WorkloadInput {
    endpoint: string;
    bucket: string;
    prefix: string;
    region: string;
    pathStyle: boolean;
    hasCaBundle: boolean;
    /** The rclone image. */
    image: string;
    secretName: string;
    /** Size of the scratch volume a run dumps into (a generic ephemeral volume, gone with the pod). */
    scratchSize: string;
}

/** This database server's folder in the bucket, as rclone names it (remote `target`, configured by environment). */
export function s3Remote(s3: Pick<S3WorkloadInput, "bucket" | "prefix">, name: string): string {
    return `target:${s3.bucket}/${s3.prefix === "" ? "" : `${s3.prefix}/`}${name}`;
}

/**
 * rclone's environment: a remote `target` of type s3 (RCLONE_CONFIG_TARGET_*) whose keys the scripts read from the
 * mounted Secret (never a pod environment variable), never from the node's environment or instance metadata
 * (env_auth off), and the bucket never created by the backup (no_check_bucket: it must exist, and the keys need no
 * bucket-level rights).
 */
export function renderRcloneEnv(name: string, s3: S3WorkloadInput) {
    return [
        { name: BACKUP_DIR_ENV, value: BACKUP_MOUNTS.target },
        { name: REMOTE_ENV, value: s3Remote(s3, name) },
        { name: "HOME", value: BACKUP_MOUNTS.tmp },
        ...(s3.hasCaBundle ? [{ name: "RCLONE_CA_CERT", value: `${BACKUP_MOUNTS.scripts}/${S3_CA_FILE}` }] : []),
        { name: "RCLONE_CONFIG", value: `${BACKUP_MOUNTS.tmp}/rclone.conf` },
        { name: "RCLONE_CONFIG_TARGET_ENDPOINT", value: s3.endpoint },
        { name: "RCLONE_CONFIG_TARGET_ENV_AUTH", value: "false" },
        { name: "RCLONE_CONFIG_TARGET_FORCE_PATH_STYLE", value: String(s3.pathStyle) },
        { name: "RCLONE_CONFIG_TARGET_NO_CHECK_BUCKET", value: "true" },
        { name: "RCLONE_CONFIG_TARGET_PROVIDER", value: "Other" },
        { name: "RCLONE_CONFIG_TARGET_REGION", value: s3.region },
        { name: "RCLONE_CONFIG_TARGET_TYPE", value: "s3" },
        // A store that does not answer fails the run within a minute; Kubernetes retries the whole pod (backoffLimit).
        { name: "RCLONE_LOW_LEVEL_RETRIES", value: "3" },
        { name: "RCLONE_RETRIES", value: "2" },
        { name: S3_CREDENTIALS_ENV, value: S3_CREDENTIALS_MOUNT },
        { name: "XDG_CACHE_HOME", value: BACKUP_MOUNTS.tmp },
    ];
}

function rcloneContainer(name: string, script: string, input: BackupWorkloadInput, s3: S3WorkloadInput, resources: ContainerResources, extraEnv: { name: string; value: string }[] = []) {
    return {
        command: ["/bin/sh", `${BACKUP_MOUNTS.scripts}/${script}`],
        env: [...renderRcloneEnv(input.name, s3), ...extraEnv],
        image: s3.image,
        imagePullPolicy: "IfNotPresent",
        name,
        resources,
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: [
            { mountPath: BACKUP_MOUNTS.scripts, name: "scripts", readOnly: true },
            { mountPath: S3_CREDENTIALS_MOUNT, name: "s3-credentials", readOnly: true },
            { mountPath: BACKUP_MOUNTS.target, name: "target" },
            { mountPath: BACKUP_MOUNTS.tmp, name: "tmp" },
        ],
    };
}

/** Scratch space for the dumps: a claim of the storage class made for the pod and deleted with it. */
function scratchVolume(input: BackupWorkloadInput, s3: S3WorkloadInput) {
    return {
        ephemeral: {
            volumeClaimTemplate: {
                metadata: { labels: appLabels(BACKUP_APP, input.name) },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    resources: { requests: { storage: s3.scratchSize } },
                    ...(input.storage.storageClass ? { storageClassName: input.storage.storageClass } : {}),
                },
            },
        },
        name: "target",
    };
}

/** The volume target's volumes with the scratch volume for the claim, and the bucket's credentials. */
function s3Volumes(volumes: Record<string, unknown>[], input: BackupWorkloadInput, s3: S3WorkloadInput) {
    const credentials = { name: "s3-credentials", secret: { defaultMode: 0o440, secretName: s3.secretName } };
    return [...volumes.map((volume) => (volume.name === "target" ? scratchVolume(input, s3) : volume)), credentials];
}

/**
 * The backup CronJob of the S3 target: the volume target's backup container runs first, as an init container, into
 * a scratch volume (so each dump is complete and read back before anything is uploaded); the rclone container then
 * uploads that backup and applies the retention in the bucket. Either failing fails the pod and so the Job.
 */
export function renderS3BackupCronJob(input: BackupWorkloadInput, s3: S3WorkloadInput) {
    const cronJob = renderBackupCronJob(input);
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    const [dump] = pod.containers;
    return withPod(cronJob, {
        ...pod,
        initContainers: [{ ...dump, name: "dump" }],
        containers: [rcloneContainer("upload", UPLOAD_SCRIPT_FILE, input, s3, input.resources)],
        volumes: s3Volumes(pod.volumes, input, s3),
    });
}

/**
 * A restore from the bucket, as a suspended CronJob that never runs by itself: a Job created from it (README,
 * Backup and restore) downloads the backup RESTORE_BACKUP names and checks it against its marker (rclone), then
 * restores it with restore.sh (the database's image). RESTORE_BACKUP empty: the download step lists the backups.
 */
export function renderS3RestoreCronJob(input: BackupWorkloadInput, s3: S3WorkloadInput) {
    const cronJob = renderBackupCronJob(input);
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    const [database] = pod.containers;
    const choice = { name: RESTORE_BACKUP_ENV, value: "" };
    const restored = withPod(cronJob, {
        ...pod,
        initContainers: [rcloneContainer("download", DOWNLOAD_SCRIPT_FILE, input, s3, input.resources, [choice])],
        containers: [
            {
                ...database,
                command: ["/bin/bash", `${BACKUP_MOUNTS.scripts}/${RESTORE_SCRIPT_FILE}`, `$(${RESTORE_BACKUP_ENV})`],
                env: [...renderBackupEnv(input), choice],
                name: "restore",
            },
        ],
        // A ServiceAccount of its own (no token either), like every workload.
        serviceAccountName: `${input.name}-restore`,
        volumes: s3Volumes(pod.volumes, input, s3),
    });
    return {
        ...restored,
        metadata: { ...restored.metadata, name: `${input.name}-restore` },
        spec: { ...restored.spec, suspend: true, jobTemplate: { ...restored.spec.jobTemplate, spec: { ...restored.spec.jobTemplate.spec, backoffLimit: 0 } } },
    };
}

function withPod<T extends ReturnType<typeof renderBackupCronJob>>(cronJob: T, podSpec: Record<string, unknown>) {
    const template = cronJob.spec.jobTemplate.spec.template;
    return {
        ...cronJob,
        spec: { ...cronJob.spec, jobTemplate: { ...cronJob.spec.jobTemplate, spec: { ...cronJob.spec.jobTemplate.spec, template: { ...template, spec: podSpec } } } },
    };
}
