import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { appLabels, selectorLabels } from "../kube/metadata";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kube/security";
import { DATABASE_SETUP_ENV } from "./database";

/** Labels of the two Jobs' pods (their NetworkPolicy flows select them). */
export const DATABASE_JOB_APP = "keycloak-database";
export const SYNC_JOB_APP = "keycloak-realm-sync";

/** Files of the ConfigMaps and Secrets the Jobs mount. */
export const JOB_FILES = {
    setupScript: "setup.sh",
    setupSql: "setup.sql",
    syncScript: "sync.mjs",
    realm: "realm.json",
    clientSecrets: "client-secrets.json",
} as const;

const DIRS = { scripts: "/etc/pacstack/scripts", ca: "/etc/pacstack/database-ca", secret: "/etc/pacstack/secret", superuser: "/etc/pacstack/superuser", tmp: "/tmp" };

interface JobBase {
    name: string;
    /** Its own ServiceAccount (no token mounted). */
    serviceAccount: string;
    namespace: string;
    /** Instance label (the Keycloak component's name). */
    instance: string;
    image: string;
    resources: ContainerResources;
}

type JobDoc = k8s.types.input.batch.v1.Job;
type Container = Omit<k8s.types.input.core.v1.Container, "name" | "image">;

function job(base: JobBase, app: string, uid: number, container: Container, volumes: k8s.types.input.core.v1.Volume[], annotations?: Record<string, pulumi.Input<string>>): JobDoc {
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { labels: appLabels(app, base.instance), name: base.name, namespace: base.namespace },
        spec: {
            backoffLimit: 4,
            activeDeadlineSeconds: 1800,
            template: {
                metadata: { labels: { ...appLabels(app, base.instance), ...selectorLabels(app, base.instance) }, ...(annotations ? { annotations } : {}) },
                spec: {
                    automountServiceAccountToken: false,
                    serviceAccountName: base.serviceAccount,
                    enableServiceLinks: false,
                    restartPolicy: "Never",
                    securityContext: restrictedPodSecurityContext(uid),
                    containers: [{ name: app, image: base.image, resources: base.resources, securityContext: restrictedContainerSecurityContext(), ...container }],
                    volumes: [...volumes, { name: "tmp", emptyDir: {} }],
                },
            },
        },
    };
}

export interface DatabaseJobInput extends JobBase {
    /** PostgreSQL's in-cluster host name (in its certificate) and port. */
    host: string;
    port: number;
    /** Secret and key of the `postgres` superuser's password. */
    superuserSecret: { name: string; key: string };
    /** Secret with `ca.crt`, the CA of the database's certificate. */
    caSecret: string;
    /** Keycloak's Secret and the key of its database password. */
    keycloakSecret: { name: string; key: string };
    /** ConfigMap with setup.sh and setup.sql. */
    scriptsConfigMap: string;
    database: string;
    user: string;
}

/** The Job that creates Keycloak's database and user (renderDatabaseSetupScript), in the PostgreSQL image. */
export function renderDatabaseJob(input: DatabaseJobInput): JobDoc {
    // The Bitnami PostgreSQL image's user.
    return job(
        input,
        DATABASE_JOB_APP,
        1001,
        {
            command: ["/bin/bash", `${DIRS.scripts}/${JOB_FILES.setupScript}`, `${DIRS.scripts}/${JOB_FILES.setupSql}`],
            env: [
                { name: "HOME", value: DIRS.tmp },
                { name: "PGHOST", value: input.host },
                { name: "PGPORT", value: String(input.port) },
                { name: "PGUSER", value: "postgres" },
                { name: DATABASE_SETUP_ENV.superuserPasswordFile, value: `${DIRS.superuser}/password` },
                { name: "PGSSLMODE", value: "verify-full" },
                { name: "PGSSLROOTCERT", value: `${DIRS.ca}/ca.crt` },
                { name: "PGCONNECT_TIMEOUT", value: "10" },
                { name: DATABASE_SETUP_ENV.passwordFile, value: `${DIRS.secret}/password` },
                { name: DATABASE_SETUP_ENV.database, value: input.database },
                { name: DATABASE_SETUP_ENV.user, value: input.user },
                { name: DATABASE_SETUP_ENV.waitSeconds, value: "900" },
            ],
            volumeMounts: [
                { name: "scripts", mountPath: DIRS.scripts, readOnly: true },
                { name: "database-ca", mountPath: DIRS.ca, readOnly: true },
                { name: "secret", mountPath: DIRS.secret, readOnly: true },
                { name: "superuser", mountPath: DIRS.superuser, readOnly: true },
                { name: "tmp", mountPath: DIRS.tmp },
            ],
        },
        [
            { name: "scripts", configMap: { name: input.scriptsConfigMap } },
            { name: "superuser", secret: { secretName: input.superuserSecret.name, items: [{ key: input.superuserSecret.key, path: "password" }] } },
            { name: "database-ca", secret: { secretName: input.caSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } },
            { name: "secret", secret: { secretName: input.keycloakSecret.name, items: [{ key: input.keycloakSecret.key, path: "password" }] } },
        ],
    );
}

export interface SyncJobInput extends JobBase {
    /** Keycloak in the cluster, e.g. http://pacstack-keycloak-http.pacstack.svc.cluster.local/auth */
    keycloakUrl: string;
    /** ConfigMap with sync.mjs and realm.json. */
    configMap: string;
    /** The bootstrap admin client the Job signs in with. */
    syncClientId: string;
    /** Keycloak's Secret and the key of that client's secret. */
    keycloakSecret: { name: string; clientSecretKey: string };
    /** Secret with client-secrets.json. */
    clientSecretsSecret: string;
    /** Checksum of what the Job applies (a pod-template annotation: a new document replaces the Job). */
    checksum: pulumi.Input<string>;
}

/** The Job that applies the realm (renderRealmSyncScript) through Keycloak's admin API, in a Node image. */
export function renderSyncJob(input: SyncJobInput): JobDoc {
    // The official Node image's `node` user.
    return job(
        input,
        SYNC_JOB_APP,
        1000,
        {
            command: ["node", `${DIRS.scripts}/${JOB_FILES.syncScript}`],
            env: [
                { name: "KEYCLOAK_URL", value: input.keycloakUrl },
                { name: "SYNC_CLIENT_ID", value: input.syncClientId },
                { name: "SYNC_CLIENT_SECRET_FILE", value: `${DIRS.secret}/sync-client-secret` },
                { name: "REALM_FILE", value: `${DIRS.scripts}/${JOB_FILES.realm}` },
                { name: "CLIENT_SECRETS_FILE", value: `${DIRS.secret}/${JOB_FILES.clientSecrets}` },
                { name: "WAIT_SECONDS", value: "900" },
            ],
            volumeMounts: [
                { name: "scripts", mountPath: DIRS.scripts, readOnly: true },
                { name: "secret", mountPath: DIRS.secret, readOnly: true },
                { name: "tmp", mountPath: DIRS.tmp },
            ],
        },
        [
            { name: "scripts", configMap: { name: input.configMap } },
            {
                name: "secret",
                projected: {
                    sources: [
                        { secret: { name: input.keycloakSecret.name, items: [{ key: input.keycloakSecret.clientSecretKey, path: "sync-client-secret" }] } },
                        { secret: { name: input.clientSecretsSecret, items: [{ key: JOB_FILES.clientSecrets, path: JOB_FILES.clientSecrets }] } },
                    ],
                },
            },
        ],
        { "pacstack.io/realm-checksum": input.checksum },
    );
}
