/**
 * Every stack setting pacstack reads, with its type, default and meaning. Pulumi.yaml's `config:` block
 * documents the same keys with the same defaults; a test keeps the two in step.
 */
export type SettingType = "string" | "integer" | "boolean" | "array" | "object";

export interface SettingSpec {
    type: SettingType;
    /** Absent means required. `""` means "unset": the platform's own default applies. */
    default?: string | number | boolean | string[] | Record<string, unknown>;
    description: string;
}

export const PLATFORMS = ["minikube", "microk8s", "cloud"] as const;
export type PlatformKind = (typeof PLATFORMS)[number];

/** The image archives pacstack can deploy; the viewer gets one data source per deployed archive. */
export const ARCHIVES = ["orthanc", "dcm4chee"] as const;
export type ArchiveKind = (typeof ARCHIVES)[number];

export const SETTINGS = {
    platform: {
        type: "string",
        description: "Where the cluster runs: minikube, microk8s or cloud. Selects storage class, how Traefik is exposed and resource sizes.",
    },
    domain: {
        type: "string",
        description: "Host name for HTTPS and DICOM-TLS (for example pacs.example.org). Web and DICOM certificates are issued for it.",
    },
    namespace: {
        type: "string",
        default: "pacstack",
        description: "Namespace of the archive tier. Traefik runs in <namespace>-ingress.",
    },
    kubeContext: {
        type: "string",
        default: "",
        description: "kubeconfig context to deploy to; empty means the current context.",
    },
    kubeconfig: {
        type: "string",
        default: "",
        description: "Path to the kubeconfig file; empty means $KUBECONFIG or ~/.kube/config.",
    },
    storageClass: {
        type: "string",
        default: "",
        description: "Storage class of the database and DICOM volumes; empty means the platform's (minikube: standard, microk8s: microk8s-hostpath, cloud: the cluster default).",
    },
    orthancReplicas: {
        type: "integer",
        default: 1,
        description: "Orthanc pods. More than 1 needs orthancSharedStorageClass (ReadWriteMany).",
    },
    orthancSharedStorageClass: {
        type: "string",
        default: "",
        description: "ReadWriteMany storage class for the DICOM files; required when orthancReplicas > 1.",
    },
    orthancStorageSize: {
        type: "string",
        default: "",
        description: "Size of the DICOM file volume, e.g. 500Gi; empty means the platform's (minikube/microk8s: 20Gi, cloud: 500Gi).",
    },
    orthancAeTitle: {
        type: "string",
        default: "ORTHANC",
        description: "Orthanc's DICOM AE title (1-16 characters: letters, digits, _ . -).",
    },
    orthancImage: {
        type: "string",
        default: "docker.io/orthancteam/orthanc:26.6.1",
        description: "Orthanc image, pinned by tag or digest (latest is refused).",
    },
    postgresChartVersion: {
        type: "string",
        default: "16.7.27",
        description: "Version of the Bitnami postgresql chart (oci://registry-1.docker.io/bitnamicharts/postgresql).",
    },
    postgresImage: {
        type: "string",
        default: "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4",
        description: "PostgreSQL image. Bitnami's free images moved to docker.io/bitnamilegacy in 2025; point this at your own mirror to get updates.",
    },
    postgresStorageSize: {
        type: "string",
        default: "",
        description: "Size of the database volume; empty means the platform's (minikube/microk8s: 5Gi, cloud: 50Gi).",
    },
    traefikChartVersion: {
        type: "string",
        default: "41.3.0",
        description: "Version of the traefik chart (https://traefik.github.io/charts).",
    },
    traefikImage: {
        type: "string",
        default: "docker.io/traefik:v3.7.11",
        description: "Traefik image, pinned by tag or digest.",
    },
    modalities: {
        type: "array",
        default: [],
        description: "Names of DICOM modalities that get a client certificate for DICOM-TLS (lowercase DNS labels).",
    },
    exposure: {
        type: "object",
        default: { sourceRanges: [], internal: "", annotations: {} },
        description:
            "Cloud only: who reaches the Traefik load balancer. sourceRanges: client CIDRs admitted to web and DICOM (empty: every address); internal: \"\" for a public load balancer or aws, azure, gcp for that cloud's internal one; annotations: extra Service annotations.",
    },
    webTlsSecret: {
        type: "string",
        default: "",
        description: "Existing kubernetes.io/tls Secret in <namespace> to serve HTTPS with; empty means a certificate from the pacstack CA.",
    },
    uploadLimitMiB: {
        type: "integer",
        default: 2048,
        description: "Largest HTTP request body (STOW-RS, REST uploads) Traefik accepts, in MiB.",
    },
    archives: {
        type: "array",
        default: ["orthanc"],
        description: "Image archives to deploy: orthanc, dcm4chee or both (no duplicates). The viewer gets one data source per archive.",
    },
    defaultArchive: {
        type: "string",
        default: "",
        description: "Archive the viewer's study list opens first; empty means the first of archives.",
    },
    viewerPath: {
        type: "string",
        default: "/",
        description: "Path the OHIF viewer is served at, / or a prefix like /viewer (a prefix needs an ohifImage built with PUBLIC_URL=<prefix>/).",
    },
    ohifImage: {
        type: "string",
        default: "docker.io/ohif/app:v3.13.2",
        description: "OHIF viewer image, pinned by tag or digest (ohif/app images serve at /).",
    },
    dcm4cheeAeTitle: {
        type: "string",
        default: "DCM4CHEE",
        description: "dcm4chee's DICOM AE title, also in its DICOMweb path /dcm4chee-arc/aets/<AE title>/rs (1-16 characters: letters, digits, _ . -).",
    },
    dcm4cheeImage: {
        type: "string",
        default: "docker.io/dcm4che/dcm4chee-arc-psql:5.34.3",
        description: "dcm4chee archive image (Wildfly), pinned; its version must match dcm4cheeLdapImage and dcm4cheeDatabaseImage.",
    },
    dcm4cheeLdapImage: {
        type: "string",
        default: "docker.io/dcm4che/slapd-dcm4chee:2.6.10-34.3",
        description: "dcm4chee configuration directory image (OpenLDAP with the archive's schema), pinned.",
    },
    dcm4cheeDatabaseImage: {
        type: "string",
        default: "docker.io/dcm4che/postgres-dcm4chee:17.4-34",
        description: "dcm4chee database image (PostgreSQL with the archive's schema), pinned.",
    },
    dcm4cheeStorageSize: {
        type: "string",
        default: "",
        description: "Size of dcm4chee's DICOM file volume; empty means the platform's (minikube/microk8s: 20Gi, cloud: 500Gi).",
    },
    dcm4cheeDatabaseSize: {
        type: "string",
        default: "",
        description: "Size of dcm4chee's database volume; empty means the platform's (minikube/microk8s: 5Gi, cloud: 50Gi).",
    },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
