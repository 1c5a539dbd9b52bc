import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { allowExternalPorts, allowTraffic } from "../kube/network-policy";
import { appLabels, selectorLabels } from "../kube/metadata";
import { createNetworkPolicies } from "../kube/resources";
import { S3Target } from "../config/backup-target";
import { imageReference } from "../config/image";
import { renderDownloadScript, renderUploadScript } from "./s3-scripts";
import { DOWNLOAD_SCRIPT_FILE, renderS3BackupCronJob, renderS3RestoreCronJob, S3_CA_FILE, S3_SECRET_KEYS, S3WorkloadInput, UPLOAD_SCRIPT_FILE } from "./s3-workload";
import { renderBackupScript, renderRestoreScript } from "./script";
import { BACKUP_APP, BACKUP_SCRIPT_FILE, BackupWorkloadInput, RESTORE_SCRIPT_FILE, renderBackupClaim, renderBackupCronJob } from "./workload";

/** Resources of a backup run: pg_dump streams, so a small container suffices whatever the database's size. */
export const BACKUP_RESOURCES: ContainerResources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } };

export interface DatabaseBackupArgs {
    namespace: string;
    /** The database's own image (bash, pg_dump and pg_restore of the server's version). */
    image: string;
    /** uid and gid of the image's database user. */
    uid: number;
    /** Cron schedule, in UTC (validated by the config). */
    schedule: string;
    /** Complete backups kept (at least 1). */
    retention: number;
    /** The server, its pods (for the NetworkPolicies) and the role that owns the databases. */
    database: {
        host: string;
        port: number;
        username: string;
        passwordSecret: { name: string; key: string };
        databases: string[];
        pods: { namespace: string; podLabels: Record<string, string> };
    };
    /** kubernetes.io/tls Secret with the CA that signed the database's certificate. */
    tlsSecretName: string;
    /** The backup volume's size and class (with an S3 target: of the scratch volume each run dumps into). */
    storage: { size: string; storageClass?: pulumi.Input<string> };
    /**
     * An S3-compatible bucket instead of the kept volume: each backup is uploaded into `<prefix>/<name>/` and the
     * retention applies there. The credentials go into a Kubernetes Secret only.
     * @default the kept volume
     */
    s3?: S3Target;
    /**
     * Provider for the backups' claim, which is kept on destroy and adopted by the next deployment.
     * @default the parent's provider
     */
    keptObjectProvider?: k8s.Provider;
}

/**
 * Scheduled dumps of one PostgreSQL: a CronJob running the rendered backup script with the database's own image,
 * onto a claim kept on `pulumi destroy`; NetworkPolicies let it reach that database's port and nothing else.
 */
export class DatabaseBackup extends pulumi.ComponentResource {
    /** The claim holding the backups; undefined with an S3 target. */
    public readonly claimName: string | undefined;

    constructor(name: string, args: DatabaseBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:DatabaseBackup", name, {}, opts);
        const parent = { parent: this };
        const labels = appLabels(BACKUP_APP, name);
        const s3 = args.s3;
        this.claimName = s3 ? undefined : name;
        const scriptInput = { databases: args.database.databases, retention: args.retention };
        const scripts: Record<string, string> = { [BACKUP_SCRIPT_FILE]: renderBackupScript(s3 ? { ...scriptInput, retention: 1 } : scriptInput), [RESTORE_SCRIPT_FILE]: renderRestoreScript(scriptInput) };
        if (s3) {
            Object.assign(scripts, { [UPLOAD_SCRIPT_FILE]: renderUploadScript(args.retention), [DOWNLOAD_SCRIPT_FILE]: renderDownloadScript() }, s3.caBundle ? { [S3_CA_FILE]: s3.caBundle } : {});
        }
        const scriptsMap = new k8s.core.v1.ConfigMap(`${name}-scripts`, { metadata: { labels, name: `${name}-scripts`, namespace: args.namespace }, data: scripts }, parent);
        const account = new k8s.core.v1.ServiceAccount(name, { metadata: { labels, name, namespace: args.namespace }, automountServiceAccountToken: false }, parent);
        const storage = { size: args.storage.size, storageClass: args.storage.storageClass };
        const workload: BackupWorkloadInput = {
            name,
            namespace: args.namespace,
            image: args.image,
            uid: args.uid,
            schedule: args.schedule,
            resources: BACKUP_RESOURCES,
            database: args.database,
            tlsSecretName: args.tlsSecretName,
            scriptsConfigMap: `${name}-scripts`,
            scripts,
            claimName: name,
            storage,
        };
        const backupPods = { namespace: args.namespace, podLabels: selectorLabels(BACKUP_APP, name) };
        if (s3) {
            const secretName = `${name}-s3`;
            const credentials = new k8s.core.v1.Secret(
                secretName,
                {
                    metadata: { labels, name: secretName, namespace: args.namespace },
                    type: "Opaque",
                    stringData: pulumi.secret({ [S3_SECRET_KEYS.accessKeyId]: s3.accessKeyId, [S3_SECRET_KEYS.secretAccessKey]: s3.secretAccessKey }),
                },
                parent,
            );
            const bucket: S3WorkloadInput = { ...s3, hasCaBundle: s3.caBundle !== undefined, image: imageReference(s3.image), secretName, scratchSize: args.storage.size };
            new k8s.batch.v1.CronJob(name, renderS3BackupCronJob(workload, bucket), { ...parent, dependsOn: [scriptsMap, account, credentials] });
            const restoreAccount = new k8s.core.v1.ServiceAccount(`${name}-restore`, { metadata: { labels, name: `${name}-restore`, namespace: args.namespace }, automountServiceAccountToken: false }, parent);
            new k8s.batch.v1.CronJob(`${name}-restore`, renderS3RestoreCronJob(workload, bucket), { ...parent, dependsOn: [scriptsMap, restoreAccount, credentials] });
            // The store lies outside (named by URL): the pods may open connections to its port.
            const port = Number(new URL(s3.endpoint).port || (s3.endpoint.startsWith("http:") ? 80 : 443));
            createNetworkPolicies(this, name, [allowExternalPorts("to-s3", backupPods, [{ port }])]);
        } else {
            // The backups outlive `pulumi destroy`, like the volumes they protect.
            const claim = new k8s.core.v1.PersistentVolumeClaim(
                name,
                renderBackupClaim({ name, namespace: args.namespace, claimName: name, storage }),
                { ...parent, retainOnDelete: true, ...(args.keptObjectProvider ? { provider: args.keptObjectProvider } : {}) },
            );
            new k8s.batch.v1.CronJob(name, renderBackupCronJob(workload), { ...parent, dependsOn: [scriptsMap, account, claim] });
        }
        createNetworkPolicies(this, name, allowTraffic("to-database", backupPods, args.database.pods, [{ port: args.database.port }]));
        this.registerOutputs({ claimName: this.claimName });
    }
}
