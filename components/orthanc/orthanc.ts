import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { serviceHostNames } from "../certificates/plan";
import { ContainerResources } from "../config/platform";
import { ImageRef, imageReference } from "../config/image";
import { ModalityAccess } from "../config/modalities";
import { ForwardingRule, OrthancPeer, passwordProblem } from "../config/peers";
import { PlatformConfigError } from "../config/validate";
import { KeptSecrets, keptOrGenerated } from "../kube/kept-secrets";
import { appLabels } from "../kube/metadata";
import { allowExternalPorts } from "../kube/network-policy";
import { ORTHANC_DICOM_PORT, ORTHANC_HTTP_PORT, orthancJson, renderOrthancCredentials } from "./config";
import { renderDeployedOrthancFiles } from "./deployed-config";
import { CONFIG_FILE, CREDENTIALS_FILE } from "./paths";
import { extraConfigProblems } from "./extra-config";
import { OrthancPluginName } from "./plugins";
import { Publication, Publishing, Workload } from "../publish/published";
import { orthancPublication } from "./publication";
import {
    ORTHANC_APP,
    renderOrthancDeployment,
    renderOrthancDisruptionBudget,
    renderOrthancService,
    renderOrthancStorageClaim,
} from "./workload";

export interface OrthancArgs {
    namespace: string;
    image: ImageRef;
    /**
     * Where clients reach the web edge: the public host name, with `:<port>` when the HTTPS port is not 443
     * (the URLs in DICOMweb answers).
     */
    publicAuthority: pulumi.Input<string>;
    /**
     * Largest HTTP request body Orthanc accepts, in MiB (keep it equal to the edge's upload limit).
     * @default 2048
     */
    maxRequestBodyMiB?: number;
    /**
     * Orthanc pods; more than one needs a ReadWriteMany storage class.
     * @default 1
     */
    replicas?: number;
    /**
     * DICOM AE title.
     * @default "ORTHANC"
     */
    aeTitle?: string;
    /**
     * Modalities with their AE titles, rights and destinations (components/config/modalities.ts).
     * @default none: no AE title may query, retrieve or store
     */
    modalities?: ModalityAccess[];
    /**
     * Optional plugins of the image to load, with their configuration sections (components/orthanc/plugins.ts).
     * @default none
     */
    plugins?: OrthancPluginName[];
    /**
     * Orthanc configuration pacstack does not model, deep-merged last (components/orthanc/extra-config.ts); a key
     * that undoes a security setting is refused.
     * @default {}
     */
    extraConfig?: Record<string, unknown>;
    /**
     * Other Orthancs it sends to over HTTPS; a peer without password gets a generated one (see peerCredentials).
     * @default none
     */
    peers?: OrthancPeer[];
    /**
     * What it sends on by itself, to peers or modalities with a DICOM TLS destination (components/config/peers.ts).
     * @default nothing
     */
    forwarding?: ForwardingRule[];
    /**
     * Seconds without a new instance before a study is stable (and forwarded).
     * @default 60
     */
    stableAgeSeconds?: number;
    /**
     * REST user created with a generated password.
     * @default "admin"
     */
    adminUsername?: string;
    /**
     * Size limit of the temporary volume (uploads being parsed, archives being written); keep it above maxRequestBodyMiB.
     * @default "4Gi"
     */
    temporarySize?: string;
    /**
     * MaximumStorageSize in MiB, with MaximumStorageMode Reject: beyond it a new instance is refused (C-STORE status
     * 0xA700, HTTP 507) instead of filling the volume. Orthanc before 1.11.2 would delete the oldest patients instead.
     * @default no ceiling
     */
    storageCeilingMiB?: number;
    storage: {
        size: string;
        /** @default the cluster's default storage class */
        storageClass?: pulumi.Input<string>;
        /** @default "ReadWriteOnce" */
        accessMode?: "ReadWriteOnce" | "ReadWriteMany";
    };
    resources: ContainerResources;
    database: {
        host: string;
        port: number;
        name: string;
        username: string;
        /** Secret and key holding the database user's password. */
        passwordSecret: { name: string; key: string };
        /**
         * The database's pods: Orthanc then publishes the flow it needs to them.
         * @default no flow published (the database is reached otherwise)
         */
        pods?: Workload;
    };
    /** kubernetes.io/tls Secret (with ca.crt) for DICOM TLS; ca.crt also verifies the database certificate. */
    dicomTlsSecretName: string;
    /**
     * The certificates DICOM TLS trusts, and nothing else: the modalities' own (Certificates.modalityTrustPem). Orthanc
     * reads the file at start; a change rolls the pods (the configuration checksum covers it).
     */
    trustedModalitiesPem: pulumi.Input<string>;
    /**
     * Checksum of the certificates in the mounted TLS Secrets (Certificates.checksumOf), on the pod template: a
     * renewed certificate rolls the pods, which read certificates only at start.
     * @default none (pods keep serving a renewed Secret's old certificate until they restart)
     */
    certificatesChecksum?: pulumi.Input<string>;
    /**
     * kubernetes.io/tls Secret of Orthanc's HTTPS, for its Service's names, with ca.crt and CERTIFICATE_AND_KEY_FILE
     * (Certificates' backend certificate): the edge verifies Orthanc with it.
     */
    httpsTlsSecretName: string;
    /**
     * Provider for the DICOM volume claim, which outlives `pulumi destroy`: give one with upsertExistingObjects so
     * that a later deployment adopts the kept claim (and its images) instead of failing with AlreadyExists.
     * @default the parent's Kubernetes provider
     */
    keptObjectProvider?: k8s.Provider;
    /**
     * The peers' Secret a destroyed deployment kept: a generated peer password found there is kept (the peer has it
     * registered), so a redeployment forwards without a manual step (README: Redeploy onto kept data).
     * @default none
     */
    keptSecrets?: KeptSecrets;
    /**
     * A second REST user: the platform's web user, whose credentials Traefik forwards (Orthanc checks them again).
     * @default no second user
     */
    webUser?: { username: string; password: pulumi.Input<string> };
}

/**
 * Orthanc on PostgreSQL: a Deployment of the orthancteam/orthanc image whose configuration is rendered by
 * renderOrthancConfig (ConfigMap) plus a credentials file (Secret), DICOM files on a retained PVC, DICOM TLS
 * with client certificates, HTTPS with a pacstack certificate, and a ClusterIP Service for HTTPS (8042) and DICOM (4242).
 */
export class Orthanc extends pulumi.ComponentResource implements Publishing {
    public readonly serviceName: string;
    public readonly httpPort = ORTHANC_HTTP_PORT;
    public readonly dicomPort = ORTHANC_DICOM_PORT;
    public readonly aeTitle: string;
    public readonly adminUsername: string;
    public readonly adminPassword: pulumi.Output<string>;
    /** Labels that select Orthanc pods (for NetworkPolicies). */
    public readonly podLabels: Record<string, string>;
    /** The rendered non-secret configuration, as mounted in the pod. */
    public readonly configJson: pulumi.Output<string>;
    /** Its web routes, DICOM-TLS entrypoint, database flow and metrics endpoint (see orthancPublication). */
    public readonly published: Publication;
    /** Per peer, the user name and password Orthanc sends (secret): register them at the peer. */
    public readonly peerCredentials: pulumi.Output<Record<string, { username: string; password: string }>>;

    constructor(name: string, args: OrthancArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Orthanc", name, {}, opts);
        const refused = extraConfigProblems(args.extraConfig ?? {}, "extraConfig");
        if (refused.length > 0) {
            throw new Error(`Orthanc ${name}: extraConfig refused:\n  - ${refused.join("\n  - ")}`);
        }
        const replicas = args.replicas ?? 1;
        const accessMode = args.storage.accessMode ?? "ReadWriteOnce";
        this.aeTitle = args.aeTitle ?? "ORTHANC";
        this.adminUsername = args.adminUsername ?? "admin";
        this.serviceName = name;
        this.podLabels = { "app.kubernetes.io/instance": name, "app.kubernetes.io/name": ORTHANC_APP };
        const parent = { parent: this };

        const peers = args.peers ?? [];
        const configFiles = pulumi.all([args.publicAuthority, args.trustedModalitiesPem]).apply(([publicAuthority, trustedModalitiesPem]) =>
            renderDeployedOrthancFiles({
                name,
                aeTitle: this.aeTitle,
                replicas,
                publicAuthority,
                maxRequestBodyMiB: args.maxRequestBodyMiB ?? 2048,
                database: args.database,
                modalities: args.modalities ?? [],
                plugins: args.plugins ?? [],
                extraConfig: args.extraConfig ?? {},
                peers: peers.map(({ name, url, username, caCertificate }) => ({ name, url, username, caCertificate })),
                forwarding: args.forwarding ?? [],
                stableAgeSeconds: args.stableAgeSeconds ?? 60,
                ...(args.storageCeilingMiB ? { maximumStorageMiB: args.storageCeilingMiB } : {}),
                trustedModalitiesPem,
            }),
        );
        this.configJson = configFiles.apply((files) => files[CONFIG_FILE]);
        const extraConfigFiles = configFiles.apply(({ [CONFIG_FILE]: _, ...extra }) => extra);

        const password = new random.RandomPassword(`${name}-admin`, { length: 32, special: false }, parent);
        this.adminPassword = pulumi.secret(password.result);
        const labels = appLabels(ORTHANC_APP, name);

        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            { metadata: { labels, name: `${name}-config`, namespace: args.namespace }, data: configFiles },
            parent,
        );
        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { labels, name: `${name}-credentials`, namespace: args.namespace },
                type: "Opaque",
                stringData: {
                    [CREDENTIALS_FILE]: pulumi.secret(
                        pulumi
                            .all([this.adminPassword, args.webUser?.password ?? ""])
                            .apply(([admin, web]) =>
                                orthancJson(renderOrthancCredentials({ [this.adminUsername]: admin, ...(args.webUser ? { [args.webUser.username]: web } : {}) })),
                            ),
                    ),
                },
            },
            parent,
        );
        // One password per peer: the given one (checked once known), else a generated one; only in this Secret.
        const peerPasswords = Object.fromEntries(
            peers.map((peer, i) => {
                const given = peer.password;
                const password = given
                    ? pulumi.output(given).apply((value) => {
                          const problem = passwordProblem(value, `pacstack:orthanc.peers[${i}].password`);
                          if (problem) throw new PlatformConfigError([problem]);
                          return value;
                      })
                    : keptOrGenerated(
                          args.keptSecrets,
                          { namespace: args.namespace, name: `${name}-peers`, key: peer.name },
                          new random.RandomPassword(`${name}-peer-${peer.name}`, { length: 32, special: false }, parent).result,
                      );
                return [peer.name, pulumi.secret(password)];
            }),
        );
        this.peerCredentials = pulumi.secret(
            pulumi.all(peerPasswords).apply((passwords) => Object.fromEntries(peers.map((p) => [p.name, { username: p.username, password: passwords[p.name] }]))),
        );
        const peersSecret =
            peers.length > 0
                ? new k8s.core.v1.Secret(
                      `${name}-peers`,
                      { metadata: { labels, name: `${name}-peers`, namespace: args.namespace }, type: "Opaque", stringData: peerPasswords },
                      // Peers have these passwords registered: they outlive `pulumi destroy` like the data.
                      { ...parent, retainOnDelete: true, provider: args.keptObjectProvider },
                  )
                : undefined;
        const account = new k8s.core.v1.ServiceAccount(
            name,
            { metadata: { labels, name, namespace: args.namespace }, automountServiceAccountToken: false },
            parent,
        );
        const storage = { claimName: `${name}-storage`, size: args.storage.size, storageClass: args.storage.storageClass, accessMode };
        // Losing images is the worst failure: the claim (and so the volume) outlives `pulumi destroy`.
        const claim = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-storage`,
            renderOrthancStorageClaim({ name, namespace: args.namespace, storage }),
            { ...parent, retainOnDelete: true, provider: args.keptObjectProvider },
        );
        // The pod template carries the configuration's checksum, so it is rendered once the configuration is known.
        const deployment = pulumi.all([this.configJson, extraConfigFiles, args.certificatesChecksum ?? ""]).apply(([configJson, extra, certificatesChecksum]) =>
            renderOrthancDeployment({
                name,
                namespace: args.namespace,
                image: imageReference(args.image),
                replicas,
                resources: args.resources,
                configJson,
                extraConfigFiles: extra,
                ...(certificatesChecksum ? { certificatesChecksum } : {}),
                peerPasswords: peersSecret && { secretName: `${name}-peers`, peers: peers.map((p) => p.name) },
                configMapName: `${name}-config`,
                credentialsSecretName: `${name}-credentials`,
                dicomTlsSecretName: args.dicomTlsSecretName,
                httpsTlsSecretName: args.httpsTlsSecretName,
                databasePasswordSecret: args.database.passwordSecret,
                storage,
                ...(args.temporarySize ? { temporarySize: args.temporarySize } : {}),
            }),
        );
        new k8s.apps.v1.Deployment(name, { metadata: deployment.metadata, spec: deployment.spec }, { ...parent, dependsOn: [account, claim, configMap, credentials, ...(peersSecret ? [peersSecret] : [])] });
        new k8s.core.v1.Service(name, renderOrthancService({ name, namespace: args.namespace }), parent);
        new k8s.policy.v1.PodDisruptionBudget(name, renderOrthancDisruptionBudget({ name, namespace: args.namespace }), parent);
        // C-MOVE destinations lie outside the cluster (named by host): Orthanc may open connections to their ports.
        const destinationPorts = [...new Set((args.modalities ?? []).flatMap((m) => (m.destination ? [m.destination.port] : [])))].sort((a, b) => a - b);
        if (destinationPorts.length > 0) {
            const pods = { namespace: args.namespace, podLabels: this.podLabels };
            const policy = allowExternalPorts(`${name}-dicom-destinations-egress`, pods, destinationPorts.map((port) => ({ port })));
            new k8s.networking.v1.NetworkPolicy(policy.metadata.name, policy, parent);
        }
        // Peers too lie outside (named by URL): Orthanc may open HTTPS connections to their ports.
        const peerPorts = [...new Set(peers.map((p) => Number(new URL(p.url).port || 443)))].sort((a, b) => a - b);
        if (peerPorts.length > 0) {
            const pods = { namespace: args.namespace, podLabels: this.podLabels };
            const policy = allowExternalPorts(`${name}-peers-egress`, pods, peerPorts.map((port) => ({ port })));
            new k8s.networking.v1.NetworkPolicy(policy.metadata.name, policy, parent);
        }

        this.published = orthancPublication({
            service: this.serviceName,
            pods: { namespace: args.namespace, podLabels: this.podLabels },
            https: { serverName: serviceHostNames(this.serviceName, args.namespace)[2], caSecretName: args.httpsTlsSecretName },
            uploadLimitMiB: args.maxRequestBodyMiB ?? 2048,
            database: args.database.pods && { ...args.database.pods, port: args.database.port },
            metricsUser: { username: this.adminUsername, password: this.adminPassword },
        });
        this.registerOutputs({ adminPassword: this.adminPassword, peerCredentials: this.peerCredentials, serviceName: this.serviceName });
    }
}
