import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ContainerResources } from "../config/platform";
import { ImageRef, imageReference } from "../config/image";
import { KeptSecrets, keptOrGenerated } from "../kube/kept-secrets";
import { appLabels, contentChecksum, selectorLabels, stableJson } from "../kube/metadata";
import { Publication, Publishing, Workload } from "../publish/published";
import { renderDatabaseSetupScript, renderDatabaseSetupSql } from "./database";
import { DATABASE_JOB_APP, JOB_FILES, SYNC_JOB_APP, renderDatabaseJob, renderSyncJob } from "./jobs";
import { keycloakPublication } from "./publication";
import { BruteForcePolicy, PROXY_CLIENT_ID, REALM_NAME, SCRIPTS_CLIENT_ID, renderRealm } from "./realm";
import { renderRealmSyncScript } from "./realm-sync";
import { KEYCLOAK_CHART, KEYCLOAK_CHART_REPO, KEYCLOAK_PATH, KEYCLOAK_SERVICE_PORT, SECRET_KEYS, keycloakPodLabels, renderKeycloakValues } from "./values";

/** The bootstrap administrator's user name (master realm). */
export const KEYCLOAK_ADMIN_USERNAME = "pacstack-admin";
/** The master-realm client the realm sync Job signs in with (Keycloak's bootstrap admin client). */
export const SYNC_CLIENT_ID = "pacstack-realm-sync";

export interface KeycloakArgs {
    namespace: string;
    /** Exact version of codecentric's keycloakx chart. */
    chartVersion: string;
    /** The official Keycloak image (quay.io/keycloak/keycloak or docker.io/keycloak/keycloak), pinned. */
    image: ImageRef;
    /** Node image the realm sync Job runs in. */
    syncImage: ImageRef;
    /** Keycloak pods (they form one Infinispan cluster). */
    replicas: number;
    /** The platform's public base URL, e.g. `https://pacs.example.org/` (Keycloak is served at `<webUrl>auth`). */
    webUrl: pulumi.Input<string>;
    /** Exact redirect URIs of the sign-in client (oauth2-proxy's callback on the public host). */
    redirectUris: pulumi.Input<pulumi.Input<string>[]>;
    /** Redirect URIs of dcm4chee's UI client (RealmInput.archiveUiRedirectUris). @default none: no such client */
    archiveUiRedirectUris?: pulumi.Input<pulumi.Input<string>[]>;
    database: {
        /** PostgreSQL's in-cluster host name (its certificate carries it) and port. */
        host: string;
        port: number;
        pods: Workload;
        /** The PostgreSQL image (the database Job uses its psql). */
        image: ImageRef;
        /** Secret and key of the `postgres` superuser's password. */
        superuserSecret: { name: string; key: string };
        /** Secret with `ca.crt` of the CA the database certificate chains to. */
        caSecret: string;
    };
    realm?: {
        /** @default 12 */
        passwordMinLength?: number;
        bruteForce?: BruteForcePolicy;
    };
    resources: ContainerResources;
    /**
     * Provider of the Keycloak Secret, which is kept on destroy with the database that knows its credentials (the
     * master realm's bootstrap administrator and admin client) and adopted again. @default the parent's provider
     */
    keptObjectProvider?: k8s.Provider;
    /** A kept Keycloak Secret's values win over newly generated ones (README: Redeploy onto kept data). @default none */
    keptSecrets?: KeptSecrets;
    /** Resources of the two Jobs. @default 100m/128Mi requests, 500m/256Mi limits */
    jobResources?: ContainerResources;
}

const JOB_RESOURCES: ContainerResources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/**
 * Keycloak from codecentric's keycloakx chart (the official image, started --optimized after an in-pod build step),
 * its database and user in pacstack's PostgreSQL (a Job), and the realm as code (renderRealm) applied through the
 * admin API by a Job whenever the document changes. Every password and client secret is generated and kept in
 * Secrets; no user with a known password exists.
 */
export class Keycloak extends pulumi.ComponentResource implements Publishing {
    /** Keycloak's public base URL, e.g. `https://pacs.example.org/auth`. */
    public readonly url: pulumi.Output<string>;
    /** The realm's issuer as browsers and token checks see it. */
    public readonly issuerUrl: pulumi.Output<string>;
    /** Keycloak inside the cluster, e.g. `http://pacstack-keycloak-http.pacstack.svc.cluster.local:8080/auth`. */
    public readonly internalUrl: string;
    public readonly serviceName: string;
    public readonly podLabels: Record<string, string>;
    public readonly adminUsername = KEYCLOAK_ADMIN_USERNAME;
    public readonly adminPassword: pulumi.Output<string>;
    /** The sign-in client (oauth2-proxy) and its secret. */
    public readonly proxyClient: { clientId: string; secret: pulumi.Output<string> };
    /** The scripts' client (client credentials) and its secret. */
    public readonly scriptsClient: { clientId: string; secret: pulumi.Output<string> };
    public readonly published: Publication;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: KeycloakArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Keycloak", name, {}, opts);
        const parent = { parent: this };
        const ns = args.namespace;
        this.serviceName = `${name}-http`;
        this.podLabels = keycloakPodLabels(name);
        this.internalUrl = `http://${this.serviceName}.${ns}.svc.cluster.local:${KEYCLOAK_SERVICE_PORT}${KEYCLOAK_PATH}`;
        this.url = pulumi.output(args.webUrl).apply((web) => `${web.replace(/\/$/, "")}${KEYCLOAK_PATH}`);
        this.issuerUrl = this.url.apply((url) => `${url}/realms/${REALM_NAME}`);

        const secret = (suffix: string) => pulumi.secret(new random.RandomPassword(`${name}-${suffix}`, { length: 32, special: false }, parent).result);
        // Keycloak creates its bootstrap administrator and admin client once, in the database: a redeployment onto
        // the kept database must use the same values, so they are read back from the kept Secret.
        const kept = (key: string, generated: pulumi.Output<string>) => keptOrGenerated(args.keptSecrets, { namespace: ns, name, key }, generated);
        this.adminPassword = kept(SECRET_KEYS.adminPassword, secret("admin"));
        const syncSecret = kept(SECRET_KEYS.syncClientSecret, secret("sync-client"));
        const databasePassword = kept(SECRET_KEYS.databasePassword, secret("database"));
        this.proxyClient = { clientId: PROXY_CLIENT_ID, secret: secret("proxy-client") };
        this.scriptsClient = { clientId: SCRIPTS_CLIENT_ID, secret: secret("scripts-client") };

        const keycloakSecret = new k8s.core.v1.Secret(
            name,
            {
                metadata: { labels: appLabels("keycloak", name), name, namespace: ns },
                type: "Opaque",
                stringData: {
                    [SECRET_KEYS.adminPassword]: this.adminPassword,
                    [SECRET_KEYS.syncClientSecret]: syncSecret,
                    [SECRET_KEYS.databasePassword]: databasePassword,
                },
            },
            { ...parent, retainOnDelete: true, ...(args.keptObjectProvider ? { provider: args.keptObjectProvider } : {}) },
        );
        const clientSecrets = pulumi.secret(
            pulumi.all([this.proxyClient.secret, this.scriptsClient.secret]).apply(([proxy, scripts]) => stableJson({ [PROXY_CLIENT_ID]: proxy, [SCRIPTS_CLIENT_ID]: scripts })),
        );
        const clientSecretsSecret = new k8s.core.v1.Secret(
            `${name}-clients`,
            {
                metadata: { labels: appLabels("keycloak", name), name: `${name}-clients`, namespace: ns },
                type: "Opaque",
                stringData: { [JOB_FILES.clientSecrets]: clientSecrets },
            },
            parent,
        );

        const databaseScripts = new k8s.core.v1.ConfigMap(
            `${name}-database-setup`,
            {
                metadata: { labels: appLabels(DATABASE_JOB_APP, name), name: `${name}-database-setup`, namespace: ns },
                data: { [JOB_FILES.setupScript]: renderDatabaseSetupScript(), [JOB_FILES.setupSql]: renderDatabaseSetupSql() },
            },
            parent,
        );
        const account = (app: string, suffix: string) =>
            new k8s.core.v1.ServiceAccount(
                `${name}-${suffix}`,
                { metadata: { labels: appLabels(app, name), name: `${name}-${suffix}`, namespace: ns }, automountServiceAccountToken: false },
                parent,
            );
        const databaseAccount = account(DATABASE_JOB_APP, "database");
        const databaseJob = new k8s.batch.v1.Job(
            `${name}-database`,
            renderDatabaseJob({
                name: `${name}-database`,
                serviceAccount: `${name}-database`,
                namespace: ns,
                instance: name,
                image: imageReference(args.database.image),
                resources: args.jobResources ?? JOB_RESOURCES,
                host: args.database.host,
                port: args.database.port,
                superuserSecret: args.database.superuserSecret,
                caSecret: args.database.caSecret,
                keycloakSecret: { name, key: SECRET_KEYS.databasePassword },
                scriptsConfigMap: `${name}-database-setup`,
                database: "keycloak",
                user: "keycloak",
            }),
            // A finished Job cannot change: a new script or image replaces it (same name, so delete first).
            { ...parent, dependsOn: [keycloakSecret, databaseScripts, databaseAccount], deleteBeforeReplace: true },
        );

        this.release = new k8s.helm.v3.Release(
            name,
            {
                name,
                chart: KEYCLOAK_CHART,
                repositoryOpts: { repo: KEYCLOAK_CHART_REPO },
                version: args.chartVersion,
                namespace: ns,
                createNamespace: false,
                // The first start builds the server and creates the database schema.
                timeout: 900,
                values: this.url.apply((publicUrl) =>
                    renderKeycloakValues({
                        fullname: name,
                        image: args.image,
                        replicas: args.replicas,
                        publicUrl,
                        database: { host: args.database.host, port: args.database.port, name: "keycloak", username: "keycloak" },
                        adminUsername: KEYCLOAK_ADMIN_USERNAME,
                        syncClientId: SYNC_CLIENT_ID,
                        secretName: name,
                        databaseCaSecret: args.database.caSecret,
                        resources: args.resources,
                    }),
                ),
            },
            { ...parent, dependsOn: [keycloakSecret, databaseJob] },
        );

        const realm = pulumi
            .all([pulumi.output(args.redirectUris), pulumi.output(args.archiveUiRedirectUris ?? [])])
            .apply(([redirectUris, archiveUiRedirectUris]) => stableJson(renderRealm({ redirectUris, archiveUiRedirectUris, ...args.realm })));
        const syncScript = renderRealmSyncScript();
        const syncConfig = new k8s.core.v1.ConfigMap(
            `${name}-realm`,
            {
                metadata: { labels: appLabels(SYNC_JOB_APP, name), name: `${name}-realm`, namespace: ns },
                data: { [JOB_FILES.realm]: realm, [JOB_FILES.syncScript]: syncScript },
            },
            parent,
        );
        // Named after what it applies (document, program, image): each change is a new Job, which runs once.
        // Marked with a checksum of what it applies (document, program, image, client secrets): each change replaces
        // the finished Job by a new one, which runs once. The checksum is a one-way hash, shown in the clear.
        const checksum = pulumi.unsecret(
            pulumi.all([realm, clientSecrets]).apply(([doc, secrets]) => contentChecksum(doc, syncScript, imageReference(args.syncImage), secrets)),
        );
        const syncAccount = account(SYNC_JOB_APP, "realm-sync");
        new k8s.batch.v1.Job(
            `${name}-realm-sync`,
            renderSyncJob({
                name: `${name}-realm-sync`,
                serviceAccount: `${name}-realm-sync`,
                namespace: ns,
                instance: name,
                image: imageReference(args.syncImage),
                resources: args.jobResources ?? JOB_RESOURCES,
                keycloakUrl: this.internalUrl,
                configMap: `${name}-realm`,
                syncClientId: SYNC_CLIENT_ID,
                keycloakSecret: { name, clientSecretKey: SECRET_KEYS.syncClientSecret },
                clientSecretsSecret: `${name}-clients`,
                checksum,
            }),
            { ...parent, dependsOn: [this.release, syncConfig, clientSecretsSecret, syncAccount], deleteBeforeReplace: true },
        );

        this.published = keycloakPublication({
            service: this.serviceName,
            pods: { namespace: ns, podLabels: this.podLabels },
            databaseJob: { namespace: ns, podLabels: selectorLabels(DATABASE_JOB_APP, name) },
            syncJob: { namespace: ns, podLabels: selectorLabels(SYNC_JOB_APP, name) },
            database: { ...args.database.pods, port: args.database.port },
        });
        this.registerOutputs({ url: this.url, issuerUrl: this.issuerUrl, adminPassword: this.adminPassword });
    }
}
