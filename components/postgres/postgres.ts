import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ContainerResources } from "../config/platform";
import { ImageRef } from "../config/image";
import { CERTIFICATES_CHECKSUM_ANNOTATION, appLabels } from "../kube/metadata";
import { KeptSecrets, keptOrGenerated } from "../kube/kept-secrets";
import { ADMIN_PASSWORD_KEY, POSTGRES_CHART, POSTGRES_PORT, USER_PASSWORD_KEY, renderPostgresValues } from "./values";

export interface PostgresArgs {
    namespace: string;
    /** Exact version of the Bitnami postgresql chart. */
    chartVersion: string;
    image: ImageRef;
    /**
     * Existing docker-registry Secrets (in `namespace`) the pod pulls the image with: a subscription registry.
     * @default none
     */
    imagePullSecrets?: string[];
    /**
     * Database created for the application.
     * @default "orthanc"
     */
    database?: string;
    /**
     * Owner of that database.
     * @default "orthanc"
     */
    username?: string;
    /** kubernetes.io/tls Secret with the server certificate. */
    tlsSecretName: string;
    storage: {
        size: string;
        /** @default the cluster's default storage class */
        storageClass?: pulumi.Input<string>;
    };
    resources: ContainerResources;
    /**
     * Checksum of the certificates in the TLS Secret (Certificates.checksumOf), on the pod: PostgreSQL reads its
     * certificate at start, so a renewal restarts it.
     * @default none
     */
    certificatesChecksum?: pulumi.Input<string>;
    /**
     * Provider of the credentials Secret, which is kept on destroy with the database volume and adopted again.
     * @default the parent's provider
     */
    keptObjectProvider?: k8s.Provider;
    /** A kept credentials Secret's values win over newly generated ones (README: Redeploy onto kept data). @default none */
    keptSecrets?: KeptSecrets;
}

/**
 * PostgreSQL from the Bitnami chart (helm.v3.Release, pinned OCI version), with generated passwords in a
 * Secret, TLS from the pacstack CA and a volume kept on `pulumi destroy`.
 */
export class Postgres extends pulumi.ComponentResource {
    /** In-cluster DNS name of the database Service. */
    public readonly host: string;
    public readonly port = POSTGRES_PORT;
    public readonly database: string;
    public readonly username: string;
    /** Secret and key holding the application user's password. */
    public readonly passwordSecret: { name: string; key: string };
    /** Secret and key holding the `postgres` superuser's password (for Jobs that create further databases). */
    public readonly superuserSecret: { name: string; key: string };
    /** Labels of the database pod, as the chart sets them. */
    public readonly podLabels: Record<string, string>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Postgres", name, {}, opts);
        this.database = args.database ?? "orthanc";
        this.username = args.username ?? "orthanc";
        this.host = `${name}.${args.namespace}.svc.cluster.local`;
        this.podLabels = { "app.kubernetes.io/instance": name, "app.kubernetes.io/name": "postgresql" };
        const parent = { parent: this };

        const adminPassword = new random.RandomPassword(`${name}-admin`, { length: 32, special: false }, parent);
        const userPassword = new random.RandomPassword(`${name}-user`, { length: 32, special: false }, parent);
        const kept = (key: string, generated: random.RandomPassword) =>
            keptOrGenerated(args.keptSecrets, { namespace: args.namespace, name: `${name}-credentials`, key }, generated.result);
        // The database volume outlives `pulumi destroy` and knows these passwords: so does their Secret.
        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { labels: appLabels("postgresql", name), name: `${name}-credentials`, namespace: args.namespace },
                type: "Opaque",
                stringData: { [ADMIN_PASSWORD_KEY]: kept(ADMIN_PASSWORD_KEY, adminPassword), [USER_PASSWORD_KEY]: kept(USER_PASSWORD_KEY, userPassword) },
            },
            { ...parent, retainOnDelete: true, ...(args.keptObjectProvider ? { provider: args.keptObjectProvider } : {}) },
        );
        this.passwordSecret = { name: `${name}-credentials`, key: USER_PASSWORD_KEY };
        this.superuserSecret = { name: `${name}-credentials`, key: ADMIN_PASSWORD_KEY };

        this.release = new k8s.helm.v3.Release(
            name,
            {
                name,
                chart: POSTGRES_CHART,
                version: args.chartVersion,
                namespace: args.namespace,
                createNamespace: false,
                // First start initialises the cluster and binds a volume; the default 300 s is short on slow disks.
                timeout: 900,
                values: renderPostgresValues({
                    fullname: name,
                    image: args.image,
                    imagePullSecrets: args.imagePullSecrets,
                    database: this.database,
                    username: this.username,
                    credentialsSecret: `${name}-credentials`,
                    tlsSecret: args.tlsSecretName,
                    storage: args.storage,
                    resources: args.resources,
                    ...(args.certificatesChecksum ? { podAnnotations: { [CERTIFICATES_CHECKSUM_ANNOTATION]: args.certificatesChecksum } } : {}),
                }),
            },
            { ...parent, dependsOn: [credentials] },
        );
        this.registerOutputs({ host: this.host });
    }
}
