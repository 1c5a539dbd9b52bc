import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_EXPOSURE, EdgeExposure, readExposure } from "./exposure";
import { NetworkConfig, validateNetwork } from "./network";
import { ImageRef, parseImage } from "./image";
import { readCertificateLifetime } from "./lifecycle";
import { orthancStorageCeilingMiB, readSizing } from "./sizing";
import { CertificateLifetime } from "../certificates/plan";
import { ModalityAccess, parseModalities } from "./modalities";
import { parseOrthancExtraConfig, parseOrthancPlugins } from "./orthanc-plugins";
import { OrthancPluginName } from "../orthanc/plugins";
import { ForwardingRule, OrthancPeer, parseForwarding, parsePeers } from "./peers";
import { showSetting } from "./show";
import { isCronSchedule } from "../backup/script";
import { archiveImageProblems } from "../dcm4chee/sign-in";
import { BackupTarget, readBackupTarget } from "./backup-target";
import { ContainerResources, PLATFORM_PROFILES, PlatformProfile } from "./platform";
import { ARCHIVES, ArchiveKind, LEAF_PATHS, LEAF_SETTINGS, LOGINS, LoginKind, LeafKey, LeafSpec, PLATFORMS, PlatformKind, leafPath } from "./schema";
import { PlatformSettings, flattenSettings } from "./settings";

/** The validated, typed form of a stack's `pacstack:*` settings. Every default is already applied. */
export interface PlatformConfig {
    platform: PlatformKind;
    /** A plain string, or another resource's output (checked when known: see Platform). */
    domain: pulumi.Input<string>;
    /** Namespace of the archive tier. */
    namespace: string;
    /** Namespace of the Traefik ingress. */
    ingressNamespace: string;
    kubernetes: { context?: string; kubeconfig?: string };
    /** Storage class for ReadWriteOnce volumes; undefined means the cluster default. */
    storageClass?: pulumi.Input<string>;
    serviceType: PlatformProfile["serviceType"];
    orthanc: {
        replicas: number;
        aeTitle: string;
        image: ImageRef;
        storageSize: string;
        /** Orthanc's temporary volume (emptyDir size limit). */
        temporarySize: string;
        /** MaximumStorageSize in MiB: 90 % of storageSize; a store beyond it is refused (README: Sizing). */
        storageCeilingMiB: number;
        /** Storage class of the DICOM file volume. */
        storageClass?: pulumi.Input<string>;
        accessMode: "ReadWriteOnce" | "ReadWriteMany";
        resources: ContainerResources;
        /** Optional plugins to load (components/orthanc/plugins.ts). */
        plugins: OrthancPluginName[];
        /** Orthanc configuration merged last (components/orthanc/extra-config.ts). */
        extraConfig: Record<string, unknown>;
        /** Other Orthancs it sends to over HTTPS. */
        peers: OrthancPeer[];
        /** What it sends on by itself (to peers or modalities). */
        forwarding: ForwardingRule[];
        /** StableAge: seconds without a new instance before a study is stable. */
        stableAgeSeconds: number;
    };
    postgres: {
        chartVersion: string;
        image: ImageRef;
        /** Secrets the image is pulled with. */
        imagePullSecrets: string[];
        storageSize: string;
        resources: ContainerResources;
    };
    traefik: {
        chartVersion: string;
        image: ImageRef;
        resources: ContainerResources;
        /** Traefik InFlightConn per client address on every TCP entrypoint. */
        dicomConnectionsPerSource: number;
    };
    modalities: string[];
    /** Every modality with its AE title, rights and destination (components/config/modalities.ts). */
    modalityAccess: ModalityAccess[];
    /** Who reaches the cloud load balancer (the default on node ports, where it does not apply). */
    exposure: EdgeExposure;
    /** Peers of the NetworkPolicies (DNS, the API server, the metrics scrapers). */
    network: NetworkConfig;
    /** Validity and renewal window of the leaf certificates pacstack issues. */
    certificates: CertificateLifetime;
    /** Existing TLS Secret for HTTPS; undefined means pacstack issues one. */
    webTlsSecret?: pulumi.Input<string>;
    uploadLimitMiB: number;
    /** How the web routes ask for a login: single sign-on (Keycloak + oauth2-proxy) or the one shared web user. */
    login: LoginKind;
    /** The sites (one): each its archives and its viewer. */
    sites: SiteConfig[];
    /** The viewer every site runs. */
    viewer: {
        image: ImageRef;
        resources: ContainerResources;
    };
    keycloak: {
        replicas: number;
        image: ImageRef;
        chartVersion: string;
        syncImage: ImageRef;
        passwordMinLength: number;
        resources: ContainerResources;
    };
    dcm4chee: {
        aeTitle: string;
        images: { archive: ImageRef; ldap: ImageRef; database: ImageRef };
        storageSize: string;
        databaseSize: string;
        resources: { archive: ContainerResources; ldap: ContainerResources; database: ContainerResources };
    };
    /** Scheduled dumps of every PostgreSQL (components/backup). */
    backup: {
        enabled: boolean;
        /** Cron schedule, UTC. */
        schedule: string;
        retention: number;
        /** Size of each backup volume (with s3: the scratch volume); undefined means the database volume's size. */
        storageSize?: string;
        /** The kept volume, or an S3-compatible bucket (components/config/backup-target.ts). */
        target: BackupTarget;
    };
}

/** One site: the archives it holds and where its viewer is served. */
export interface SiteConfig {
    /** The archives to deploy, in the configured order (at least one). */
    archives: ArchiveKind[];
    /** The archive the viewer opens first (one of `archives`). */
    defaultArchive: ArchiveKind;
    /** "/" or a prefix without trailing slash, e.g. "/viewer". */
    viewerPath: string;
}

/** Settings a program may give as another resource's output (pulumi.Input): names of existing objects. */
const OUTPUT_KEYS: LeafKey[] = ["domain", "storageClass", "orthancSharedStorageClass", "webTlsSecret"];

/** Raised for invalid settings, before any resource is registered. Lists every problem found. */
export class PlatformConfigError extends Error {
    constructor(readonly problems: string[]) {
        super(`Invalid pacstack configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "PlatformConfigError";
    }
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const AE_TITLE = /^[A-Za-z0-9_.-]{1,16}$/;
const QUANTITY = /^[1-9][0-9]*(Mi|Gi|Ti)$/;
const SEMVER = /^[0-9]+\.[0-9]+\.[0-9]+$/;
const VIEWER_PATH = /^\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;
/** Paths the archives' routes own; the viewer's prefix may not shadow them. */
export const RESERVED_PATHS = ["/orthanc", "/dicom-web", "/dcm4chee-arc"] as const;
/** AE titles dcm4chee's default configuration gives its other application entities (slapd-dcm4chee AE_TITLE_*). */
export const DCM4CHEE_OTHER_AE_TITLES = ["WORKLIST", "IOCM_REGULAR_USE", "IOCM_QUALITY", "IOCM_PAT_SAFETY", "IOCM_WRONG_MWL", "IOCM_EXPIRED", "AS_RECEIVED"];
/** Images whose web root is built for PUBLIC_URL=/ (the published ohif/app images). */
const ROOT_ONLY_VIEWER_IMAGES = ["docker.io/ohif/app"];

export function isDomain(value: string): boolean {
    const labels = value.split(".");
    return value.length <= 253 && labels.length >= 2 && labels.every((l) => DNS_LABEL.test(l));
}

/** Reads one raw value (Pulumi passes strings; programs may pass native values) as the declared type. */
function coerce(spec: LeafSpec, raw: unknown): unknown {
    if (typeof raw !== "string") {
        return raw;
    }
    switch (spec.type) {
        case "integer":
            return /^-?[0-9]+$/.test(raw.trim()) ? Number(raw) : raw;
        case "boolean":
            return raw === "true" ? true : raw === "false" ? false : raw;
        case "array":
        case "object":
            try {
                return JSON.parse(raw);
            } catch {
                return raw;
            }
        default:
            return raw;
    }
}

const show = showSetting;

/**
 * Turns settings (keys without the `pacstack:` prefix, grouped as PlatformSettings, or as Pulumi hands a stack's
 * values over: strings, JSON text) into a PlatformConfig. Throws one PlatformConfigError naming every bad key as it
 * was written, its value and what is allowed.
 */
export function validatePlatformConfig(settings: PlatformSettings | Record<string, unknown>): PlatformConfig {
    const flat = flattenSettings(settings as Record<string, unknown>);
    const problems = [...flat.problems];
    const values: Record<string, unknown> = {};
    /** A key as the user wrote it, else where it is set now. */
    const name = (key: LeafKey) => flat.written[key] ?? leafPath(key);
    /** Another key named in a problem of `like`: in the same style the user wrote `like` (flat names or groups). */
    const ref = (key: LeafKey, like: LeafKey) => (flat.written[like] === like && LEAF_PATHS[like] ? key : name(key));

    for (const [key, spec] of Object.entries(LEAF_SETTINGS) as [LeafKey, LeafSpec][]) {
        const value = flat.values[key] === undefined ? spec.default : coerce(spec, flat.values[key]);
        if (value === undefined) {
            problems.push(`pacstack:${name(key)} is missing: ${spec.description}`);
            continue;
        }
        const typeOk =
            (spec.type === "string" && (typeof value === "string" || (OUTPUT_KEYS.includes(key) && pulumi.Output.isInstance(value)))) ||
            (spec.type === "integer" && Number.isInteger(value)) ||
            (spec.type === "boolean" && typeof value === "boolean") ||
            (spec.type === "array" && Array.isArray(value) && (spec.objectItems === true || value.every((v) => typeof v === "string"))) ||
            (spec.type === "object" && value !== null && typeof value === "object" && !Array.isArray(value));
        if (!typeOk) {
            const expected = spec.type === "array" ? (spec.objectItems ? "a list" : "a list of strings") : spec.type === "object" ? "an object" : `a ${spec.type}`;
            problems.push(`pacstack:${name(key)} = ${show(value)}: must be ${expected}`);
            continue;
        }
        values[key] = value;
    }

    // Another resource's output is known only at deployment: it is passed on as it is, unchecked.
    const check = (key: LeafKey, ok: () => boolean, allowed: string) => {
        if (key in values && !pulumi.Output.isInstance(values[key]) && !ok()) {
            problems.push(`pacstack:${name(key)} = ${show(values[key])}: ${allowed}`);
            delete values[key];
        }
    };
    const str = (key: LeafKey) => values[key] as string;
    const num = (key: LeafKey) => values[key] as number;

    check("platform", () => (PLATFORMS as readonly string[]).includes(str("platform")), `must be one of ${PLATFORMS.join(", ")}`);
    check("domain", () => isDomain(str("domain")), "must be a lowercase DNS name with at least two labels, e.g. pacs.example.org");
    check("namespace", () => DNS_LABEL.test(str("namespace")) && str("namespace").length <= 53, "must be a lowercase DNS label of at most 53 characters");
    check("orthancReplicas", () => num("orthancReplicas") >= 1 && num("orthancReplicas") <= 10, "must be an integer from 1 to 10");
    check("orthancAeTitle", () => AE_TITLE.test(str("orthancAeTitle")), "must be 1-16 characters of letters, digits, _ . -");
    for (const key of ["orthancStorageSize", "postgresStorageSize", "orthancTemporarySize"] as const) {
        check(key, () => str(key) === "" || QUANTITY.test(str(key)), "must be empty or a size like 20Gi (Mi, Gi or Ti)");
    }
    for (const key of ["postgresChartVersion", "traefikChartVersion", "keycloakChartVersion"] as const) {
        check(key, () => SEMVER.test(str(key)), "must be an exact chart version like 1.2.3");
    }
    for (const key of ["orthancImage", "postgresImage", "traefikImage"] as const) {
        check(key, () => parseImage(str(key)) !== undefined, "must be an image reference pinned by tag or digest, e.g. docker.io/org/name:1.2.3 (latest is refused)");
    }
    check("postgresImagePullSecrets", () => (values.postgresImagePullSecrets as string[]).every((s) => DNS_LABEL.test(s)), "must be a list of Secret names (lowercase DNS labels)");
    for (const key of ["storageClass", "orthancSharedStorageClass", "webTlsSecret"] as const) {
        check(key, () => str(key) === "" || DNS_LABEL.test(str(key)), "must be empty or a lowercase DNS label");
    }
    const orthancImage = "orthancImage" in values ? parseImage(str("orthancImage")) : undefined;
    // Unset, the default plugins the image carries; set but not a list of strings, already reported above.
    const pluginsGiven = flat.values.orthancPlugins !== undefined;
    const plugins = pluginsGiven && !("orthancPlugins" in values) ? { plugins: [], problems: [] } : parseOrthancPlugins(pluginsGiven ? values.orthancPlugins : undefined, `pacstack:${name("orthancPlugins")}`, orthancImage);
    const extra = parseOrthancExtraConfig(values.orthancExtraConfig ?? {}, `pacstack:${name("orthancExtraConfig")}`);
    problems.push(...plugins.problems, ...extra.problems);
    const parsedModalities = parseModalities(values.modalities ?? [], [str("orthancAeTitle"), str("dcm4cheeAeTitle")].filter(Boolean));
    problems.push(...parsedModalities.problems);
    const modalityAccess = parsedModalities.modalities;
    const parsedPeers = parsePeers(values.orthancPeers, name("orthancPeers"));
    const parsedForwarding = parseForwarding(values.orthancForwarding, name("orthancForwarding"), parsedPeers.peers, modalityAccess);
    // Forwarding names peers and modalities: its own problems only when those are valid (else they would repeat).
    problems.push(...parsedPeers.problems, ...(parsedPeers.problems.length + parsedModalities.problems.length === 0 ? parsedForwarding.problems : []));
    check("orthancStableAgeSeconds", () => num("orthancStableAgeSeconds") >= 1 && num("orthancStableAgeSeconds") <= 3600, "must be an integer from 1 to 3600");
    check("traefikDicomConnectionsPerSource", () => num("traefikDicomConnectionsPerSource") >= 1 && num("traefikDicomConnectionsPerSource") <= 1024, "must be an integer from 1 to 1024");
    check("uploadLimitMiB", () => num("uploadLimitMiB") >= 1 && num("uploadLimitMiB") <= 65536, "must be an integer from 1 to 65536");
    check("login", () => (LOGINS as readonly string[]).includes(str("login")), `must be one of ${LOGINS.join(", ")}`);
    const keycloakKeys = (Object.keys(LEAF_PATHS) as LeafKey[]).filter((key) => LEAF_PATHS[key]?.group === "keycloak" && flat.values[key] !== undefined);
    if (str("login") === "basic" && keycloakKeys.length > 0) {
        problems.push(`pacstack:${name("login")} = "basic" with pacstack:${name(keycloakKeys[0])} set: Keycloak is deployed only with login sso; remove pacstack:keycloak or set login to sso`);
    }
    const archives = (values.archives as string[] | undefined) ?? [];
    check(
        "archives",
        () => archives.length > 0 && archives.every((a) => (ARCHIVES as readonly string[]).includes(a)) && new Set(archives).size === archives.length,
        `must be a non-empty list of distinct archives from ${ARCHIVES.join(", ")}`,
    );
    if ("archives" in values) {
        check("defaultArchive", () => str("defaultArchive") === "" || archives.includes(str("defaultArchive")), `must be empty or one of the deployed archives (${archives.join(", ")})`);
    }
    check(
        "viewerPath",
        () => str("viewerPath") === "/" || (VIEWER_PATH.test(str("viewerPath")) && !RESERVED_PATHS.some((p) => str("viewerPath") === p || str("viewerPath").startsWith(`${p}/`))),
        `must be / or a lowercase path prefix without trailing slash like /viewer, outside ${RESERVED_PATHS.join(", ")}`,
    );
    check(
        "dcm4cheeAeTitle",
        () => AE_TITLE.test(str("dcm4cheeAeTitle")) && !DCM4CHEE_OTHER_AE_TITLES.includes(str("dcm4cheeAeTitle")),
        `must be 1-16 characters of letters, digits, _ . - and differ from dcm4chee's other AE titles (${DCM4CHEE_OTHER_AE_TITLES.join(", ")})`,
    );
    check("backupSchedule", () => isCronSchedule(str("backupSchedule")), "must be a cron schedule of five fields (minute hour day-of-month month day-of-week, in UTC), e.g. \"30 1 * * *\", or @daily, @hourly, @weekly, @monthly");
    check("backupRetention", () => num("backupRetention") >= 1 && num("backupRetention") <= 1000, "must be an integer from 1 to 1000 (complete backups kept)");
    for (const key of ["dcm4cheeStorageSize", "dcm4cheeDatabaseSize", "backupStorageSize"] as const) {
        check(key, () => str(key) === "" || QUANTITY.test(str(key)), "must be empty or a size like 20Gi (Mi, Gi or Ti)");
    }
    for (const key of ["ohifImage", "dcm4cheeImage", "dcm4cheeLdapImage", "dcm4cheeDatabaseImage", "keycloakImage", "keycloakSyncImage"] as const) {
        check(key, () => parseImage(str(key)) !== undefined, "must be an image reference pinned by tag or digest, e.g. docker.io/org/name:1.2.3 (latest is refused)");
    }
    const dcm4cheeImage = "dcm4cheeImage" in values ? parseImage(str("dcm4cheeImage")) : undefined;
    if (dcm4cheeImage && (LOGINS as readonly string[]).includes(str("login"))) {
        for (const problem of archiveImageProblems(dcm4cheeImage, str("login") as LoginKind)) problems.push(`pacstack:${name("dcm4cheeImage")} = ${show(str("dcm4cheeImage"))}: ${problem}`);
    }
    if ("viewerPath" in values && "ohifImage" in values && str("viewerPath") !== "/") {
        const image = parseImage(str("ohifImage"))!;
        if (ROOT_ONLY_VIEWER_IMAGES.includes(`${image.registry}/${image.repository}`)) {
            problems.push(
                `pacstack:${name("viewerPath")} = ${show(str("viewerPath"))}: the ${image.registry}/${image.repository} images are built with PUBLIC_URL=/ and only work at /; ` +
                    `set pacstack:${ref("ohifImage", "viewerPath")} to an image built with PUBLIC_URL=${str("viewerPath")}/ (OHIF's Dockerfile build argument) or keep the viewer at /`,
            );
        }
    }
    check("keycloakReplicas", () => num("keycloakReplicas") >= 1 && num("keycloakReplicas") <= 10, "must be an integer from 1 to 10");
    check("keycloakPasswordMinLength", () => num("keycloakPasswordMinLength") >= 8 && num("keycloakPasswordMinLength") <= 128, "must be an integer from 8 to 128");
    // Bitnami's Keycloak image is frozen (bitnamilegacy) while fixes keep coming upstream: only the official one.
    check("keycloakImage", () => parseImage(str("keycloakImage"))?.repository === "keycloak/keycloak", "must be the official image keycloak/keycloak (quay.io, docker.io or a mirror of it), pinned");
    let exposure: EdgeExposure | undefined;
    if ("exposure" in values) {
        const read = readExposure(values.exposure);
        problems.push(...read.problems);
        exposure = read.exposure;
        const changed = exposure && JSON.stringify(exposure) !== JSON.stringify(DEFAULT_EXPOSURE);
        if (changed && "platform" in values && PLATFORM_PROFILES[str("platform") as PlatformKind]?.serviceType !== "LoadBalancer") {
            problems.push(
                `pacstack:exposure = ${show(values.exposure)}: applies to the cloud load balancer only; platform ${str("platform")} exposes node ports, ` +
                    "so restrict access with the nodes' firewall or leave exposure at its default",
            );
        }
    }
    let network: NetworkConfig | undefined;
    if ("network" in values && "platform" in values) {
        const given = values.network;
        if (given !== null && typeof given === "object" && !Array.isArray(given)) {
            network = validateNetwork(given as Record<string, unknown>, str("platform") as PlatformKind, problems);
        } else {
            problems.push(`pacstack:network = ${show(given)}: must be an object`);
        }
    }
    const sizing = readSizing(values, name, problems);
    const backupTarget = readBackupTarget(values.backupTarget as string | undefined, values.backupS3 as Record<string, unknown> | undefined, { target: name("backupTarget"), s3: name("backupS3") }, problems);
    const lifetime = readCertificateLifetime(values.certificateValidityDays as number | undefined, values.certificateRenewBeforeDays as number | undefined, (field) =>
        name(field === "validityDays" ? "certificateValidityDays" : "certificateRenewBeforeDays"),
    );
    problems.push(...lifetime.problems);
    if (num("orthancReplicas") > 1 && str("orthancSharedStorageClass") === "") {
        problems.push(
            `pacstack:${name("orthancReplicas")} = ${num("orthancReplicas")}: more than one Orthanc pod shares the DICOM files, ` +
                `so pacstack:${ref("orthancSharedStorageClass", "orthancReplicas")} must name a ReadWriteMany storage class (for example nfs-client, efs-sc or azurefile)`,
        );
    }

    if (problems.length > 0) {
        throw new PlatformConfigError(problems);
    }

    const platform = str("platform") as PlatformKind;
    const profile = { ...PLATFORM_PROFILES[platform], resources: sizing!.resources };
    const optional = (key: LeafKey) => (str(key) === "" ? undefined : str(key));
    const storageClass = optional("storageClass") ?? profile.storageClass;
    const sharedStorageClass = optional("orthancSharedStorageClass");
    return {
        platform,
        domain: str("domain"),
        namespace: str("namespace"),
        ingressNamespace: `${str("namespace")}-ingress`,
        kubernetes: { context: optional("kubeContext"), kubeconfig: optional("kubeconfig") },
        storageClass,
        serviceType: profile.serviceType,
        orthanc: {
            replicas: num("orthancReplicas"),
            aeTitle: str("orthancAeTitle"),
            image: parseImage(str("orthancImage"))!,
            storageSize: optional("orthancStorageSize") ?? profile.orthancStorageSize,
            temporarySize: sizing!.temporarySize,
            storageCeilingMiB: orthancStorageCeilingMiB(optional("orthancStorageSize") ?? profile.orthancStorageSize),
            storageClass: sharedStorageClass ?? storageClass,
            accessMode: sharedStorageClass ? "ReadWriteMany" : "ReadWriteOnce",
            resources: profile.resources.orthanc,
            plugins: plugins.plugins,
            extraConfig: extra.extraConfig,
            peers: parsedPeers.peers,
            forwarding: parsedForwarding.rules,
            stableAgeSeconds: num("orthancStableAgeSeconds"),
        },
        postgres: {
            chartVersion: str("postgresChartVersion"),
            image: parseImage(str("postgresImage"))!,
            imagePullSecrets: values.postgresImagePullSecrets as string[],
            storageSize: optional("postgresStorageSize") ?? profile.postgresStorageSize,
            resources: profile.resources.postgres,
        },
        traefik: {
            chartVersion: str("traefikChartVersion"),
            image: parseImage(str("traefikImage"))!,
            dicomConnectionsPerSource: num("traefikDicomConnectionsPerSource"),
            resources: profile.resources.traefik,
        },
        modalities: modalityAccess.map((m) => m.name),
        modalityAccess,
        exposure: exposure ?? DEFAULT_EXPOSURE,
        network: network!,
        certificates: lifetime.lifetime!,
        webTlsSecret: optional("webTlsSecret"),
        uploadLimitMiB: num("uploadLimitMiB"),
        login: str("login") as LoginKind,
        sites: [{ archives: archives as ArchiveKind[], defaultArchive: (optional("defaultArchive") ?? archives[0]) as ArchiveKind, viewerPath: str("viewerPath") }],
        viewer: { image: parseImage(str("ohifImage"))!, resources: profile.resources.viewer },
        keycloak: {
            replicas: num("keycloakReplicas"),
            image: parseImage(str("keycloakImage"))!,
            chartVersion: str("keycloakChartVersion"),
            syncImage: parseImage(str("keycloakSyncImage"))!,
            passwordMinLength: num("keycloakPasswordMinLength"),
            resources: profile.resources.keycloak,
        },
        dcm4chee: {
            aeTitle: str("dcm4cheeAeTitle"),
            images: {
                archive: parseImage(str("dcm4cheeImage"))!,
                ldap: parseImage(str("dcm4cheeLdapImage"))!,
                database: parseImage(str("dcm4cheeDatabaseImage"))!,
            },
            // The same sizes as Orthanc's image and database volumes on the platform.
            storageSize: optional("dcm4cheeStorageSize") ?? profile.orthancStorageSize,
            databaseSize: optional("dcm4cheeDatabaseSize") ?? profile.postgresStorageSize,
            resources: {
                archive: profile.resources.dcm4cheeArchive,
                ldap: profile.resources.dcm4cheeLdap,
                database: profile.resources.dcm4cheeDatabase,
            },
        },
        backup: {
            enabled: values.backupEnabled as boolean,
            schedule: str("backupSchedule").trim(),
            retention: num("backupRetention"),
            storageSize: optional("backupStorageSize"),
            target: backupTarget!,
        },
    };
}
