import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Certificates } from "../certificates/certificates";
import { serviceHostNames } from "../certificates/plan";
import type { ArchiveCertificates } from "./archives";
import { NODE_PORTS } from "../config/platform";
import { PlatformConfig, PlatformConfigError, isDomain } from "../config/validate";
import { IsolatedNamespace } from "../namespace/isolated-namespace";
import { Postgres } from "../postgres/postgres";
import { POSTGRES_UID } from "../postgres/values";
import { DatabaseBackup } from "../backup/backup";
import { imageReference } from "../config/image";
import { KeptSecrets } from "../kube/kept-secrets";

/** The web user every route asks for until single sign-on exists. */
export const WEB_USERNAME = "pacstack";

/**
 * What every part of the platform builds on, as one record (the shape of pulumi-eks' CoreData): the Kubernetes
 * providers, the two namespaces, the certificates, the web user and the shared database. Sites, the edge and
 * services a program adds take this record; none of them reaches inside the Platform.
 */
export interface PlatformCore {
    /** Prefix of every resource name. */
    name: string;
    config: PlatformConfig;
    /** The public host name, checked once known (the config's domain may be another resource's output). */
    domain: pulumi.Output<string>;
    /** Every Kubernetes object goes through it (the one given to the Platform, or one built from the config). */
    provider: k8s.Provider;
    /** For objects kept on destroy (namespaces, data volumes): adopts them again on the next deployment. */
    keptObjectProvider: k8s.Provider;
    /** The credential Secrets a previous deployment kept (read before generating new credentials). */
    keptSecrets?: KeptSecrets;
    namespaces: { app: IsolatedNamespace; ingress: IsolatedNamespace };
    certificates: Certificates;
    webUser: { username: string; password: pulumi.Output<string>; bcryptHash: pulumi.Output<string> };
    /** PostgreSQL shared by the services that need one (Orthanc); undefined when none does. */
    database?: Postgres;
    /** `https://<domain>[:node port]/`. */
    webUrl: pulumi.Output<string>;
    /** The host and port of webUrl as a URL writes them: `<domain>` on 443, `<domain>:<node port>` otherwise. */
    webAuthority: pulumi.Output<string>;
    /** Options for a child of the Platform in the application namespace. */
    inApp: pulumi.ComponentResourceOptions;
}

export interface CoreOptions {
    /** Build the shared PostgreSQL (a site's archive needs it). */
    database: boolean;
    /**
     * What the sites' archives ask of the certificates: server certificates of their in-cluster TLS servers, and
     * the names the DICOM certificate must also carry.
     * @default none
     */
    certificates?: ArchiveCertificates;
    /** A provider the program built (EKS, AKS, GKE, ...); undefined: one from the config's context and kubeconfig. */
    provider?: k8s.Provider;
    /**
     * Provider for the objects kept on destroy.
     * @default with `provider` given, that provider; else one like it with upsertExistingObjects
     */
    keptObjectProvider?: k8s.Provider;
    /** @default none */
    keptSecrets?: KeptSecrets;
}

/**
 * Creates the providers, namespaces, certificates, web user and shared database of a Platform as children of
 * `parent`, with the names pacstack has always given them.
 */
export function createCore(name: string, config: PlatformConfig, parent: pulumi.ComponentResource, options: CoreOptions): PlatformCore {
    const fromConfig = (extra: { upsertExistingObjects?: boolean }, suffix: string) =>
        new k8s.Provider(`${name}-${suffix}`, { context: config.kubernetes.context, kubeconfig: config.kubernetes.kubeconfig, ...extra }, { parent });
    const provider = options.provider ?? fromConfig({}, "kubernetes");
    // Namespaces and the DICOM claim are kept on destroy. Since pulumi-kubernetes 4.29 creating an object that
    // exists fails, so only these kept objects go through a provider that adopts them on the next deployment;
    // being retained, they are never deleted by the create-then-delete of a rename either.
    const keptObjectProvider = options.keptObjectProvider ?? (options.provider ? options.provider : fromConfig({ upsertExistingObjects: true }, "kubernetes-adopt"));
    const child = { parent, providers: { kubernetes: provider } };

    // A domain given as another resource's output is checked here, when it is known, with validation's message.
    const domain = pulumi.output(config.domain).apply((value) => {
        if (!isDomain(value)) {
            throw new PlatformConfigError([`pacstack:domain = ${JSON.stringify(value)}: must be a lowercase DNS name with at least two labels, e.g. pacs.example.org`]);
        }
        return value;
    });
    const app = new IsolatedNamespace(name, { name: config.namespace, keptObjectProvider, dns: config.network.dns }, child);
    const ingress = new IsolatedNamespace(`${name}-ingress`, { name: config.ingressNamespace, keptObjectProvider, dns: config.network.dns }, child);
    const inApp = { ...child, dependsOn: [app] };

    const webPassword = new random.RandomPassword(`${name}-web-user`, { length: 32, special: false }, { parent });
    const postgresName = `${name}-postgresql`;
    const certificates = new Certificates(
        name,
        {
            domain,
            namespace: config.namespace,
            databaseHosts: options.database ? serviceHostNames(postgresName, config.namespace) : [],
            modalities: config.modalities,
            receivingModalities: config.modalityAccess.filter((m) => m.destination?.tls).map((m) => m.name),
            webTlsSecret: config.webTlsSecret,
            lifetime: config.certificates,
            services: options.certificates?.services ?? [],
            dicomServiceHosts: options.certificates?.dicomServiceHosts ?? [],
        },
        inApp,
    );
    const database = options.database
        ? new Postgres(
              postgresName,
              {
                  namespace: config.namespace,
                  chartVersion: config.postgres.chartVersion,
                  image: config.postgres.image,
                  imagePullSecrets: config.postgres.imagePullSecrets,
                  tlsSecretName: certificates.databaseTlsSecretName!,
                  storage: { size: config.postgres.storageSize, storageClass: config.storageClass },
                  resources: config.postgres.resources,
                  certificatesChecksum: certificates.checksumOf([certificates.databaseTlsSecretName!]),
                  keptObjectProvider,
                  keptSecrets: options.keptSecrets,
              },
              { ...child, dependsOn: [app, certificates] },
          )
        : undefined;
    if (database && config.backup.enabled) {
        new DatabaseBackup(
            `${postgresName}-backup`,
            {
                namespace: config.namespace,
                image: imageReference(config.postgres.image),
                uid: POSTGRES_UID,
                schedule: config.backup.schedule,
                retention: config.backup.retention,
                database: {
                    host: database.host,
                    port: database.port,
                    username: database.username,
                    passwordSecret: database.passwordSecret,
                    databases: [database.database],
                    pods: { namespace: config.namespace, podLabels: database.podLabels },
                },
                tlsSecretName: certificates.databaseTlsSecretName!,
                storage: { size: config.backup.storageSize ?? config.postgres.storageSize, storageClass: config.storageClass },
                ...(config.backup.target.kind === "s3" ? { s3: config.backup.target } : {}),
                keptObjectProvider,
            },
            { ...child, dependsOn: [app, certificates] },
        );
    }
    const webUrl = domain.apply((host) => (config.serviceType === "NodePort" ? `https://${host}:${NODE_PORTS.websecure}/` : `https://${host}/`));
    return {
        name,
        config,
        domain,
        provider,
        keptObjectProvider,
        keptSecrets: options.keptSecrets,
        namespaces: { app, ingress },
        certificates,
        webUser: { username: WEB_USERNAME, password: pulumi.secret(webPassword.result), bcryptHash: webPassword.bcryptHash },
        database,
        webUrl,
        webAuthority: webUrl.apply((url) => new URL(url).host),
        inApp,
    };
}
