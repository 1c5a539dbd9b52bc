import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Certificates, ClientCredential } from "../certificates/certificates";
import { serviceHostNames } from "../certificates/plan";
import { NODE_PORTS } from "../config/platform";
import { PlatformConfig } from "../config/validate";
import { allowTraffic } from "../kube/network-policy";
import { createNetworkPolicies } from "../kube/resources";
import { IsolatedNamespace } from "../namespace/isolated-namespace";
import { Orthanc } from "../orthanc/orthanc";
import { Postgres } from "../postgres/postgres";
import { Routes } from "../routes/routes";
import { renderRouteTable } from "../routes/table";
import { Traefik } from "../traefik/traefik";
import { DICOM_ENTRYPOINT, WEB_ENTRYPOINT } from "../traefik/values";

export interface PlatformArgs {
    /** Validated settings (see validatePlatformConfig). */
    config: PlatformConfig;
}

/** Where modalities send DICOM. */
export interface DicomEndpoint {
    host: string;
    port: number;
    aeTitle: string;
}

/**
 * The whole platform: namespaces, certificates, PostgreSQL, Orthanc, Traefik and the routes between them,
 * deployed through one Kubernetes provider chosen by the config's context and kubeconfig.
 */
export class Platform extends pulumi.ComponentResource {
    public readonly webUrl: string;
    public readonly dicomEndpoint: DicomEndpoint;
    public readonly caCertificatePem: pulumi.Output<string>;
    public readonly adminUsername: string;
    public readonly adminPassword: pulumi.Output<string>;
    public readonly modalityCredentials: pulumi.Output<Record<string, ClientCredential>>;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Platform", name, {}, opts);
        const config = args.config;
        const provider = new k8s.Provider(
            `${name}-kubernetes`,
            { context: config.kubernetes.context, kubeconfig: config.kubernetes.kubeconfig },
            { parent: this },
        );
        // Namespaces and the DICOM claim are kept on destroy. Since pulumi-kubernetes 4.29 creating an object that
        // exists fails, so only these kept objects go through a provider that adopts them on the next deployment;
        // being retained, they are never deleted by the create-then-delete of a rename either.
        const keptObjectProvider = new k8s.Provider(
            `${name}-kubernetes-adopt`,
            { context: config.kubernetes.context, kubeconfig: config.kubernetes.kubeconfig, upsertExistingObjects: true },
            { parent: this },
        );
        const child = { parent: this, providers: { kubernetes: provider } };

        const appNamespace = new IsolatedNamespace(name, { name: config.namespace, keptObjectProvider }, child);
        const ingressNamespace = new IsolatedNamespace(`${name}-ingress`, { name: config.ingressNamespace, keptObjectProvider }, child);
        const inApp = { ...child, dependsOn: [appNamespace] };

        const postgresName = `${name}-postgresql`;
        const certificates = new Certificates(
            name,
            {
                domain: config.domain,
                namespace: config.namespace,
                databaseHosts: serviceHostNames(postgresName, config.namespace),
                modalities: config.modalities,
                webTlsSecret: config.webTlsSecret,
            },
            inApp,
        );
        const postgres = new Postgres(
            postgresName,
            {
                namespace: config.namespace,
                chartVersion: config.postgres.chartVersion,
                image: config.postgres.image,
                tlsSecretName: certificates.databaseTlsSecretName,
                storage: { size: config.postgres.storageSize, storageClass: config.storageClass },
                resources: config.postgres.resources,
            },
            { ...child, dependsOn: [appNamespace, certificates] },
        );
        const orthanc = new Orthanc(
            `${name}-orthanc`,
            {
                namespace: config.namespace,
                image: config.orthanc.image,
                publicHost: config.domain,
                replicas: config.orthanc.replicas,
                aeTitle: config.orthanc.aeTitle,
                storage: { size: config.orthanc.storageSize, storageClass: config.orthanc.storageClass, accessMode: config.orthanc.accessMode },
                resources: config.orthanc.resources,
                database: {
                    host: postgres.host,
                    port: postgres.port,
                    name: postgres.database,
                    username: postgres.username,
                    passwordSecret: postgres.passwordSecret,
                },
                dicomTlsSecretName: certificates.dicomTlsSecretName,
                keptObjectProvider,
            },
            { ...child, dependsOn: [appNamespace, certificates, postgres] },
        );
        createNetworkPolicies(
            this,
            name,
            allowTraffic(
                "orthanc-to-postgresql",
                { namespace: config.namespace, podLabels: orthanc.podLabels },
                { namespace: config.namespace, podLabels: postgres.podLabels },
                [{ port: postgres.port }],
            ),
            { provider, dependsOn: [appNamespace] },
        );

        const traefik = new Traefik(
            `${name}-traefik`,
            {
                namespace: config.ingressNamespace,
                routeNamespaces: [config.namespace],
                chartVersion: config.traefik.chartVersion,
                image: config.traefik.image,
                serviceType: config.serviceType,
                replicas: config.platform === "cloud" ? 2 : 1,
                resources: config.traefik.resources,
                uploadLimitMiB: config.uploadLimitMiB,
            },
            { ...child, dependsOn: [ingressNamespace] },
        );
        new Routes(
            `${name}-routes`,
            {
                namespace: config.namespace,
                domain: config.domain,
                table: renderRouteTable({
                    orthanc: { service: orthanc.serviceName, httpPort: orthanc.httpPort, dicomPort: orthanc.dicomPort },
                    dicomEntryPoint: DICOM_ENTRYPOINT,
                }),
                backends: { [orthanc.serviceName]: orthanc.podLabels },
                ingress: { namespace: config.ingressNamespace, podLabels: traefik.podLabels },
                webEntryPoint: WEB_ENTRYPOINT,
                tlsSecretName: certificates.webTlsSecretName,
                uploadLimitMiB: config.uploadLimitMiB,
            },
            { ...child, dependsOn: [appNamespace, ingressNamespace, traefik.release, certificates] },
        );

        const exposedOnNodePorts = config.serviceType === "NodePort";
        this.webUrl = exposedOnNodePorts ? `https://${config.domain}:${NODE_PORTS.websecure}/` : `https://${config.domain}/`;
        this.dicomEndpoint = {
            host: config.domain,
            port: exposedOnNodePorts ? NODE_PORTS.dicom : 11112,
            aeTitle: orthanc.aeTitle,
        };
        this.caCertificatePem = certificates.caCertificatePem;
        this.adminUsername = orthanc.adminUsername;
        this.adminPassword = orthanc.adminPassword;
        this.modalityCredentials = certificates.modalityCredentials;
        this.registerOutputs({
            adminPassword: this.adminPassword,
            caCertificatePem: this.caCertificatePem,
            dicomEndpoint: this.dicomEndpoint,
            modalityCredentials: this.modalityCredentials,
            webUrl: this.webUrl,
        });
    }
}
