import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { allowTraffic } from "../kube/network-policy";
import { appLabels, selectorLabels } from "../kube/metadata";
import { createNetworkPolicies } from "../kube/resources";
import { renderBackupScript, renderRestoreScript } from "./script";
import { BACKUP_APP, BACKUP_SCRIPT_FILE, RESTORE_SCRIPT_FILE, renderBackupClaim, renderBackupCronJob } from "./workload";

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
    storage: { size: string; storageClass?: pulumi.Input<string> };
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
    /** The claim holding the backups. */
    public readonly claimName: string;

    constructor(name: string, args: DatabaseBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:DatabaseBackup", name, {}, opts);
        const parent = { parent: this };
        const labels = appLabels(BACKUP_APP, name);
        this.claimName = name;
        const scriptInput = { databases: args.database.databases, retention: args.retention };
        const scripts = { [BACKUP_SCRIPT_FILE]: renderBackupScript(scriptInput), [RESTORE_SCRIPT_FILE]: renderRestoreScript(scriptInput) };
        const scriptsMap = new k8s.core.v1.ConfigMap(`${name}-scripts`, { metadata: { labels, name: `${name}-scripts`, namespace: args.namespace }, data: scripts }, parent);
        const account = new k8s.core.v1.ServiceAccount(name, { metadata: { labels, name, namespace: args.namespace }, automountServiceAccountToken: false }, parent);
        const storage = { size: args.storage.size, storageClass: args.storage.storageClass };
        // The backups outlive `pulumi destroy`, like the volumes they protect.
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            name,
            renderBackupClaim({ name, namespace: args.namespace, claimName: this.claimName, storage }),
            { ...parent, retainOnDelete: true, ...(args.keptObjectProvider ? { provider: args.keptObjectProvider } : {}) },
        );
        new k8s.batch.v1.CronJob(
            name,
            renderBackupCronJob({
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
                claimName: this.claimName,
                storage,
            }),
            { ...parent, dependsOn: [scriptsMap, account, claim] },
        );
        const backupPods = { namespace: args.namespace, podLabels: selectorLabels(BACKUP_APP, name) };
        createNetworkPolicies(this, name, allowTraffic("to-database", backupPods, args.database.pods, [{ port: args.database.port }]));
        this.registerOutputs({ claimName: this.claimName });
    }
}
