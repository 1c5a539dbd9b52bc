import { DEFAULT_TCP_CONNECTIONS_PER_SOURCE } from "../routes/traefik-resources";

/**
 * Every stack setting pacstack reads, with its type, default and meaning. Settings of one service are grouped in one
 * object (`pacstack:orthanc: { replicas: 2 }`), the archives and viewer of a site in `pacstack:sites`. Pulumi.yaml's
 * `config:` block documents the top-level keys with the same defaults; a test keeps the two in step.
 */
export type SettingType = "string" | "integer" | "boolean" | "array" | "object";

/** One value pacstack reads: a top-level key, or a field of a service's group or of a site. */
export interface LeafSpec {
    /** "object": a value read as a whole by its own reader (pacstack:exposure). */
    type: SettingType;
    /** Absent means required. `""` means "unset": the platform's own default applies. */
    default?: string | number | boolean | string[] | Record<string, unknown>;
    description: string;
    /**
     * A list whose entries may be names or objects (validated by their own parser). Pulumi's project file has no
     * type for such a list, so Pulumi.yaml declares the key without one.
     */
    objectItems?: true;
    /** Added after settings were grouped: read only at its grouped path, it has no flat name. */
    groupedOnly?: true;
}

/** A top-level key as Pulumi.yaml declares it. */
export interface SettingSpec {
    type: SettingType;
    /** Absent means required. */
    default?: string | number | boolean | string[] | Record<string, unknown>;
    description: string;
    /** Type of a list's items. */
    items?: "string" | "object";
    /** See LeafSpec.objectItems. */
    objectItems?: true;
}

export const PLATFORMS = ["minikube", "microk8s", "cloud"] as const;
export type PlatformKind = (typeof PLATFORMS)[number];

/** The image archives pacstack can deploy; the viewer gets one data source per deployed archive. */
export const ARCHIVES = ["orthanc", "dcm4chee"] as const;

/** How the web routes ask for a login: single sign-on (the default) or the one shared web user. */
export const LOGINS = ["sso", "basic"] as const;
export type LoginKind = (typeof LOGINS)[number];
export type ArchiveKind = (typeof ARCHIVES)[number];

/**
 * Every value, under the flat name it had before settings were grouped (`orthancReplicas`); that name is still
 * accepted in a stack file. `path` says where it belongs now.
 */
export const LEAF_SETTINGS = {
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
        description: "Orthanc pods. More than 1 needs orthanc.sharedStorageClass (ReadWriteMany).",
    },
    orthancSharedStorageClass: {
        type: "string",
        default: "",
        description: "ReadWriteMany storage class for the DICOM files; required when orthanc.replicas > 1.",
    },
    orthancStorageSize: {
        type: "string",
        default: "",
        description: "Size of the DICOM file volume, e.g. 500Gi; empty means the platform's (minikube/microk8s: 20Gi, cloud: 500Gi).",
    },
    orthancTemporarySize: {
        type: "string",
        groupedOnly: true,
        default: "",
        description:
            "Size of Orthanc's temporary volume (uploads being parsed, archives being written), e.g. 8Gi; empty means twice uploadLimitMiB, at least 4Gi. Checked against uploadLimitMiB (README: Sizing).",
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
    orthancPlugins: {
        type: "array",
        groupedOnly: true,
        default: ["explorer2", "gdcm"],
        description:
            "Optional plugins of the Orthanc image to load, by name: explorer2, gdcm, stone, ohif, volview, webviewer, wsi, stl, neuro, housekeeper (PostgreSQL and DICOMweb are always loaded). Unset, the default ones the image carries (README: Orthanc plugins).",
    },
    orthancExtraConfig: {
        type: "object",
        groupedOnly: true,
        default: {},
        description:
            "Orthanc configuration pacstack does not model, deep-merged last into orthanc.json; keys that undo pacstack's security, keys it sets itself and secrets are refused (README: Extra Orthanc configuration).",
    },
    orthancPeers: {
        type: "array",
        objectItems: true,
        groupedOnly: true,
        default: [],
        description:
            "Other Orthancs this one sends to over HTTPS: { name, url (https only), username, password (a secret; absent: generated, see the orthancPeerCredentials output), caCertificate (PEM of the CA that signed the peer's certificate; all peers or none) } (see Peers and forwarding).",
    },
    orthancForwarding: {
        type: "array",
        objectItems: true,
        groupedOnly: true,
        default: [],
        description: "What Orthanc sends on by itself: { peer: <name> } or { modality: <name with a DICOM TLS destination> }, when: stable-study (every study, once it is stable).",
    },
    orthancStableAgeSeconds: {
        type: "integer",
        groupedOnly: true,
        default: 60,
        description: "Seconds without a new instance after which Orthanc considers a study complete (StableAge) and forwards it; 1 to 3600.",
    },
    postgresChartVersion: {
        type: "string",
        default: "16.7.27",
        description: "Version of the Bitnami postgresql chart (oci://registry-1.docker.io/bitnamicharts/postgresql).",
    },
    postgresImage: {
        type: "string",
        default: "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4",
        description:
            "PostgreSQL image (Bitnami layout: the chart runs only Bitnami-built images). The default from docker.io/bitnamilegacy gets no security fixes (a warning in the stack output warnings); set a Bitnami Secure Images registry with postgres.imagePullSecrets, pinned by tag or digest (README: PostgreSQL image).",
    },
    postgresImagePullSecrets: {
        type: "array",
        groupedOnly: true,
        default: [],
        description: "Existing docker-registry Secrets in <namespace> the PostgreSQL pod pulls its image with (a subscription registry).",
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
    traefikDicomConnectionsPerSource: {
        type: "integer",
        groupedOnly: true,
        default: DEFAULT_TCP_CONNECTIONS_PER_SOURCE,
        description:
            "Open connections one client address may hold on each DICOM-TLS and HL7-TLS port of the edge (Traefik InFlightConn); 1 to 1024. On node ports every client shares the node's address (README: DICOM port abuse).",
    },
    modalities: {
        type: "array",
        objectItems: true,
        default: [],
        description: "DICOM modalities, each with a client certificate for DICOM-TLS: a name (lowercase DNS label; stores and echoes with any AE title), or { name, aeTitle, allow: [store, find, move, get, echo], destination: { host, port, tls } } (see Modalities and their rights).",
    },
    exposure: {
        type: "object",
        default: { sourceRanges: [], dicomSourceRanges: [], internal: "", annotations: {} },
        description:
            "Cloud only: who reaches the Traefik load balancer. sourceRanges: client CIDRs admitted to web and DICOM (empty: every address); dicomSourceRanges: the modalities' networks, the only CIDRs the DICOM-TLS and HL7-TLS ports admit (empty: those of sourceRanges); internal: \"\" for a public load balancer or aws, azure, gcp for that cloud's internal one; annotations: extra Service annotations.",
    },
    network: {
        type: "object",
        default: {},
        description:
            "Peers of pacstack's NetworkPolicies, any field optional: {dns: {namespace, podLabels, cidrs, ports}, apiServer: {cidrs, ports}, monitoringNamespace}. Unset fields take the platform's defaults (README: NetworkPolicies).",
    },
    webTlsSecret: {
        type: "string",
        default: "",
        description: "Existing kubernetes.io/tls Secret in <namespace> to serve HTTPS with; empty means a certificate from the pacstack CA.",
    },
    uploadLimitMiB: {
        type: "integer",
        default: 2048,
        description:
            "Largest HTTP request body (STOW-RS, REST uploads) Traefik and Orthanc accept, in MiB; one upload at the limit must fit Orthanc's memory limit and temporary volume (README: Sizing).",
    },
    resources: {
        type: "object",
        default: {},
        description:
            "CPU and memory per service over the platform's: {<service>: {requests: {cpu, memory}, limits: {cpu, memory}}}, any field optional; services orthanc, postgres, traefik, viewer, dcm4cheeArchive, dcm4cheeLdap, dcm4cheeDatabase (README: Sizing).",
    },
    login: {
        type: "string",
        default: "sso",
        description:
            "How people and scripts sign in on the web routes: sso (Keycloak at /auth and oauth2-proxy at the edge; groups pacstack-user and pacstack-admin) or basic (one shared web user, no Keycloak; only if you choose it).",
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
        description: "Path the OHIF viewer is served at, / or a prefix like /viewer (a prefix needs a viewer.image built with PUBLIC_URL=<prefix>/).",
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
        description: "dcm4chee archive image (Wildfly), pinned; its version must match dcm4chee.ldapImage and dcm4chee.databaseImage.",
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
    certificateValidityDays: {
        type: "integer",
        groupedOnly: true,
        default: 365,
        description: "Days a leaf certificate (web, DICOM, database, modalities) is valid: 2 to 1825.",
    },
    certificateRenewBeforeDays: {
        type: "integer",
        groupedOnly: true,
        default: 30,
        description:
            "A `pulumi up` this many days or fewer before a leaf certificate expires issues a new one (and the pods that mount it restart); 1 to less than certificates.validityDays. Only `pulumi up` renews: watch the certificateExpiries output.",
    },
    backupEnabled: {
        type: "boolean",
        groupedOnly: true,
        default: true,
        description: "Scheduled dumps of every PostgreSQL (the shared one, dcm4chee's) onto a volume kept on destroy (README: Backup and restore).",
    },
    backupSchedule: {
        type: "string",
        groupedOnly: true,
        default: "30 1 * * *",
        description: "When the backups run, a cron schedule in UTC (five fields, or @daily, @hourly, ...).",
    },
    backupRetention: {
        type: "integer",
        groupedOnly: true,
        default: 7,
        description: "Complete backups kept per database server; older ones are removed after a backup succeeds. 1 to 1000.",
    },
    backupStorageSize: {
        type: "string",
        groupedOnly: true,
        default: "",
        description: "Size of each backup volume (with target s3: of the scratch volume each run dumps into before the upload); empty means the size of the database volume it backs up.",
    },
    backupTarget: {
        type: "string",
        groupedOnly: true,
        default: "volume",
        description: "Where the backups go: volume (a claim kept on destroy) or s3 (a bucket of an S3-compatible store, set in backup.s3; README: Backup and restore).",
    },
    backupS3: {
        type: "object",
        groupedOnly: true,
        default: {},
        description:
            "With backup.target s3: endpoint (https URL), bucket, prefix (optional folder), region (default us-east-1), pathStyle (default true), accessKeyId and secretAccessKey (set with --secret; kept in a Kubernetes Secret), caBundle (optional PEM for a private endpoint), allowHttp (default false: http:// endpoints refused), image (the uploader, default docker.io/rclone/rclone:1.76.0).",
    },
    keycloakReplicas: {
        type: "integer",
        groupedOnly: true,
        default: 1,
        description: "Keycloak pods (1 to 10); more than one form one cluster (Infinispan, members found through the database).",
    },
    keycloakImage: {
        type: "string",
        groupedOnly: true,
        default: "quay.io/keycloak/keycloak:26.7.3",
        description: "The official Keycloak image (quay.io/keycloak/keycloak or docker.io/keycloak/keycloak), pinned by tag or digest.",
    },
    keycloakChartVersion: {
        type: "string",
        groupedOnly: true,
        default: "7.1.11",
        description: "Version of codecentric's keycloakx chart (https://codecentric.github.io/helm-charts).",
    },
    keycloakSyncImage: {
        type: "string",
        groupedOnly: true,
        default: "docker.io/library/node:24.21.0-alpine",
        description: "Node image of the Job that applies the realm through Keycloak's admin API, pinned.",
    },
    keycloakPasswordMinLength: {
        type: "integer",
        groupedOnly: true,
        default: 12,
        description: "Shortest password the realm accepts (8 to 128); passwords also may not contain the user name or be the e-mail address.",
    },
} as const satisfies Record<string, LeafSpec>;

export type LeafKey = keyof typeof LEAF_SETTINGS;

/** The group (or `sites`) each grouped value belongs to, and its field name there; top-level keys are absent. */
export const LEAF_PATHS: Partial<Record<LeafKey, { group: string; field: string }>> = {
    orthancReplicas: { group: "orthanc", field: "replicas" },
    orthancSharedStorageClass: { group: "orthanc", field: "sharedStorageClass" },
    orthancStorageSize: { group: "orthanc", field: "storageSize" },
    orthancAeTitle: { group: "orthanc", field: "aeTitle" },
    orthancTemporarySize: { group: "orthanc", field: "temporarySize" },
    orthancImage: { group: "orthanc", field: "image" },
    orthancPlugins: { group: "orthanc", field: "plugins" },
    orthancExtraConfig: { group: "orthanc", field: "extraConfig" },
    orthancPeers: { group: "orthanc", field: "peers" },
    orthancForwarding: { group: "orthanc", field: "forwarding" },
    orthancStableAgeSeconds: { group: "orthanc", field: "stableAgeSeconds" },
    postgresChartVersion: { group: "postgres", field: "chartVersion" },
    postgresImage: { group: "postgres", field: "image" },
    postgresStorageSize: { group: "postgres", field: "storageSize" },
    postgresImagePullSecrets: { group: "postgres", field: "imagePullSecrets" },
    traefikChartVersion: { group: "traefik", field: "chartVersion" },
    traefikImage: { group: "traefik", field: "image" },
    traefikDicomConnectionsPerSource: { group: "traefik", field: "dicomConnectionsPerSource" },
    archives: { group: "sites", field: "archives" },
    defaultArchive: { group: "sites", field: "defaultArchive" },
    viewerPath: { group: "sites", field: "viewerPath" },
    ohifImage: { group: "viewer", field: "image" },
    dcm4cheeAeTitle: { group: "dcm4chee", field: "aeTitle" },
    dcm4cheeImage: { group: "dcm4chee", field: "image" },
    dcm4cheeLdapImage: { group: "dcm4chee", field: "ldapImage" },
    dcm4cheeDatabaseImage: { group: "dcm4chee", field: "databaseImage" },
    dcm4cheeStorageSize: { group: "dcm4chee", field: "storageSize" },
    dcm4cheeDatabaseSize: { group: "dcm4chee", field: "databaseSize" },
    certificateValidityDays: { group: "certificates", field: "validityDays" },
    certificateRenewBeforeDays: { group: "certificates", field: "renewBeforeDays" },
    backupEnabled: { group: "backup", field: "enabled" },
    backupSchedule: { group: "backup", field: "schedule" },
    backupRetention: { group: "backup", field: "retention" },
    backupStorageSize: { group: "backup", field: "storageSize" },
    backupTarget: { group: "backup", field: "target" },
    backupS3: { group: "backup", field: "s3" },
    keycloakReplicas: { group: "keycloak", field: "replicas" },
    keycloakImage: { group: "keycloak", field: "image" },
    keycloakChartVersion: { group: "keycloak", field: "chartVersion" },
    keycloakSyncImage: { group: "keycloak", field: "syncImage" },
    keycloakPasswordMinLength: { group: "keycloak", field: "passwordMinLength" },
};

/** Where a value is set now: `domain`, `orthanc.replicas`, `sites[0].archives`. */
export function leafPath(key: LeafKey, site = 0): string {
    const at = LEAF_PATHS[key];
    return !at ? key : at.group === "sites" ? `sites[${site}].${at.field}` : `${at.group}.${at.field}`;
}

const GROUP_DESCRIPTIONS: Record<string, string> = {
    orthanc: "Orthanc: replicas, sharedStorageClass, storageSize, temporarySize, aeTitle, image, plugins, extraConfig, peers, forwarding, stableAgeSeconds (see the fields below).",
    postgres: "PostgreSQL shared by the archives that need one: chartVersion, image, imagePullSecrets, storageSize.",
    traefik: "Traefik, the edge: chartVersion, image, dicomConnectionsPerSource.",
    viewer: "The OHIF viewer: image.",
    dcm4chee: "dcm4chee-arc-light: aeTitle, image, ldapImage, databaseImage, storageSize, databaseSize.",
    certificates: "Lifetime of the certificates pacstack issues: validityDays, renewBeforeDays (README: Certificate lifecycle).",
    backup: "Database backups: enabled, schedule, retention, storageSize, target, s3.",
    keycloak: "Keycloak, the identity provider at /auth: replicas, image, chartVersion, syncImage, passwordMinLength.",
};

/** The top-level keys: platform-wide values, one object per service, and the list of sites. */
export const SETTINGS: Record<string, SettingSpec> = {
    ...Object.fromEntries(
        (Object.entries(LEAF_SETTINGS) as [LeafKey, SettingSpec][]).filter(([key]) => !LEAF_PATHS[key]).map(([key, spec]) => [key, spec]),
    ),
    ...Object.fromEntries(Object.entries(GROUP_DESCRIPTIONS).map(([group, description]) => [group, { type: "object", default: {}, description }])),
    sites: {
        type: "array",
        items: "object",
        default: [],
        description: "The sites: each the archives it holds and its viewer (archives, defaultArchive, viewerPath). Empty means one site with Orthanc and the viewer at /. One site is supported.",
    },
};
