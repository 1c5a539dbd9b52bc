import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Certificates, ClientCredential } from "../certificates/certificates";
import { serviceHostNames } from "../certificates/plan";
import { NODE_PORTS } from "../config/platform";
import { ArchiveKind } from "../config/schema";
import { PlatformConfig } from "../config/validate";
import { Dcm4chee } from "../dcm4chee/dcm4chee";
import { allowTraffic } from "../kube/network-policy";
import { createNetworkPolicies } from "../kube/resources";
import { IsolatedNamespace } from "../namespace/isolated-namespace";
import { OhifDataSourceInput } from "../ohif/app-config";
import { VIEWER_RESPONSE_HEADERS } from "../ohif/headers";
import { OhifViewer } from "../ohif/ohif-viewer";
import { publicUrl } from "../ohif/paths";
import { Orthanc } from "../orthanc/orthanc";
import { Postgres } from "../postgres/postgres";
import { Routes } from "../routes/routes";
import { archiveWebPaths, renderRouteTable } from "../routes/table";
import { Traefik } from "../traefik/traefik";
import { DCM4CHEE_DICOM_ENTRYPOINT, DCM4CHEE_DICOM_PORT, DICOM_ENTRYPOINT, WEB_ENTRYPOINT } from "../traefik/values";

/** The web user every route asks for until single sign-on exists. */
export const WEB_USERNAME = "pacstack";
const ARCHIVE_NAMES: Record<ArchiveKind, string> = { orthanc: "Orthanc", dcm4chee: "dcm4chee" };

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
 * The whole platform: namespaces, certificates, the archives (Orthanc on PostgreSQL, dcm4chee, or both), the OHIF
 * viewer, Traefik and the routes between them, deployed through one Kubernetes provider chosen by the config's
 * context and kubeconfig.
 */
export class Platform extends pulumi.ComponentResource {
    public readonly webUrl: string;
    /** Where the OHIF viewer's study list is. */
    public readonly viewerUrl: string;
    /** The archives' own web interfaces (behind the same web user). */
    public readonly archiveUis: Partial<Record<ArchiveKind, string>>;
    /** DICOM-TLS endpoint of the default archive. */
    public readonly dicomEndpoint: DicomEndpoint;
    public readonly dicomEndpoints: Partial<Record<ArchiveKind, DicomEndpoint>>;
    public readonly caCertificatePem: pulumi.Output<string>;
    /** Orthanc's own administrator (undefined without Orthanc). */
    public readonly adminUsername: string | undefined;
    public readonly adminPassword: pulumi.Output<string> | undefined;
    /** The web user every route asks for. */
    public readonly webUsername: string;
    public readonly webPassword: pulumi.Output<string>;
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

        const withOrthanc = config.archives.includes("orthanc");
        const withDcm4chee = config.archives.includes("dcm4chee");
        const exposedOnNodePorts = config.serviceType === "NodePort";
        this.webUrl = exposedOnNodePorts ? `https://${config.domain}:${NODE_PORTS.websecure}/` : `https://${config.domain}/`;
        this.viewerUrl = `${this.webUrl.slice(0, -1)}${publicUrl(config.viewer.path)}`;

        // The web user: basicAuth on every route (bcrypt hash in a Secret), and a REST user of Orthanc.
        const webPassword = new random.RandomPassword(`${name}-web-user`, { length: 32, special: false }, { parent: this });
        this.webUsername = WEB_USERNAME;
        this.webPassword = pulumi.secret(webPassword.result);

        const postgresName = `${name}-postgresql`;
        const certificates = new Certificates(
            name,
            {
                domain: config.domain,
                namespace: config.namespace,
                databaseHosts: withOrthanc ? serviceHostNames(postgresName, config.namespace) : [],
                modalities: config.modalities,
                webTlsSecret: config.webTlsSecret,
            },
            inApp,
        );
        let orthanc: Orthanc | undefined;
        if (withOrthanc) {
            const postgres = new Postgres(
                postgresName,
                {
                    namespace: config.namespace,
                    chartVersion: config.postgres.chartVersion,
                    image: config.postgres.image,
                    tlsSecretName: certificates.databaseTlsSecretName!,
                    storage: { size: config.postgres.storageSize, storageClass: config.storageClass },
                    resources: config.postgres.resources,
                },
                { ...child, dependsOn: [appNamespace, certificates] },
            );
            orthanc = new Orthanc(
                `${name}-orthanc`,
                {
                    namespace: config.namespace,
                    image: config.orthanc.image,
                    publicHost: config.domain,
                    maxRequestBodyMiB: config.uploadLimitMiB,
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
                    webUser: { username: this.webUsername, password: this.webPassword },
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
        }
        const dcm4chee = withDcm4chee
            ? new Dcm4chee(
                  `${name}-dcm4chee`,
                  {
                      namespace: config.namespace,
                      images: config.dcm4chee.images,
                      aeTitle: config.dcm4chee.aeTitle,
                      publicHost: config.domain,
                      studyViewerUrl: `${this.viewerUrl}viewer/dcm4chee?StudyInstanceUIDs={{studyUID}}`,
                      storage: { size: config.dcm4chee.storageSize, databaseSize: config.dcm4chee.databaseSize, storageClass: config.storageClass },
                      resources: config.dcm4chee.resources,
                      dicomTlsSecretName: certificates.dicomTlsSecretName,
                  },
                  { ...child, dependsOn: [appNamespace, certificates] },
              )
            : undefined;

        const paths = archiveWebPaths(config.dcm4chee.aeTitle);
        const dataSources: OhifDataSourceInput[] = config.archives.map((archive) => ({
            name: archive,
            friendlyName: ARCHIVE_NAMES[archive],
            archive,
            dicomWebPath: paths[archive].dicomWeb,
            wadoUriPath: paths[archive].wadoUri,
        }));
        const viewer = new OhifViewer(
            `${name}-viewer`,
            {
                namespace: config.namespace,
                image: config.viewer.image,
                path: config.viewer.path,
                dataSources,
                defaultDataSource: config.defaultArchive,
                replicas: config.platform === "cloud" ? 2 : 1,
                resources: config.viewer.resources,
            },
            inApp,
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
                dicom: { orthanc: withOrthanc, dcm4chee: withDcm4chee },
                exposure: config.exposure,
            },
            { ...child, dependsOn: [ingressNamespace] },
        );
        new Routes(
            `${name}-routes`,
            {
                namespace: config.namespace,
                domain: config.domain,
                table: renderRouteTable({
                    orthanc: orthanc && { service: orthanc.serviceName, httpPort: orthanc.httpPort, dicomPort: orthanc.dicomPort },
                    dicomEntryPoint: DICOM_ENTRYPOINT,
                    viewer: { service: viewer.serviceName, port: viewer.httpPort, path: viewer.path, responseHeaders: VIEWER_RESPONSE_HEADERS },
                    dcm4chee: dcm4chee && {
                        service: dcm4chee.serviceName,
                        httpPort: dcm4chee.httpPort,
                        dicomTlsPort: dcm4chee.dicomTlsPort,
                        aeTitle: dcm4chee.aeTitle,
                        dicomEntryPoint: DCM4CHEE_DICOM_ENTRYPOINT,
                    },
                }),
                backends: {
                    [viewer.serviceName]: viewer.podLabels,
                    ...(orthanc ? { [orthanc.serviceName]: orthanc.podLabels } : {}),
                    ...(dcm4chee ? { [dcm4chee.serviceName]: dcm4chee.podLabels } : {}),
                },
                ingress: { namespace: config.ingressNamespace, podLabels: traefik.podLabels },
                webEntryPoint: WEB_ENTRYPOINT,
                tlsSecretName: certificates.webTlsSecretName,
                uploadLimitMiB: config.uploadLimitMiB,
                webUsers: pulumi.interpolate`${this.webUsername}:${webPassword.bcryptHash}`,
            },
            { ...child, dependsOn: [appNamespace, ingressNamespace, traefik.release, certificates] },
        );

        this.dicomEndpoints = {
            ...(orthanc ? { orthanc: { host: config.domain, port: exposedOnNodePorts ? NODE_PORTS.dicom : 11112, aeTitle: orthanc.aeTitle } } : {}),
            ...(dcm4chee
                ? { dcm4chee: { host: config.domain, port: exposedOnNodePorts ? NODE_PORTS.dicomDcm4chee : DCM4CHEE_DICOM_PORT, aeTitle: dcm4chee.aeTitle } }
                : {}),
        };
        this.dicomEndpoint = this.dicomEndpoints[config.defaultArchive]!;
        this.archiveUis = Object.fromEntries(config.archives.map((archive) => [archive, `${this.webUrl.slice(0, -1)}${paths[archive].ui}`]));
        this.caCertificatePem = certificates.caCertificatePem;
        this.adminUsername = orthanc?.adminUsername;
        this.adminPassword = orthanc?.adminPassword;
        this.modalityCredentials = certificates.modalityCredentials;
        this.registerOutputs({
            adminPassword: this.adminPassword,
            archiveUis: this.archiveUis,
            caCertificatePem: this.caCertificatePem,
            dicomEndpoint: this.dicomEndpoint,
            dicomEndpoints: this.dicomEndpoints,
            modalityCredentials: this.modalityCredentials,
            viewerUrl: this.viewerUrl,
            webPassword: this.webPassword,
            webUrl: this.webUrl,
        });
    }
}
