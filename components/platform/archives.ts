import * as pulumi from "@pulumi/pulumi";
import { ArchiveKind } from "../config/schema";
import { Dcm4chee } from "../dcm4chee/dcm4chee";
import { ServerCertificate, serviceHostNames } from "../certificates/plan";
import { DCM4CHEE_CERTIFICATES, archivePaths, dcm4cheeCertificateHosts, dcm4cheeComponentName } from "../dcm4chee/paths";
import { OhifDataSourceInput } from "../ohif/app-config";
import { Orthanc } from "../orthanc/orthanc";
import { ORTHANC_WEB_PATHS } from "../orthanc/publication";
import { Publication, PublishedEntryPoint } from "../publish/published";
import { PlatformCore } from "./core";
import type { IdentityProvider } from "./sign-in";

/** One archive of a site, as the rest of the site and the Platform's outputs see it. */
export interface SiteArchive {
    kind: ArchiveKind;
    published: Publication;
    /** The viewer's data source for it (same-origin DICOMweb paths of its published routes). */
    dataSource: OhifDataSourceInput;
    /** Its DICOM-TLS entrypoint on the edge and the AE title modalities call. */
    dicom: { entryPoint: PublishedEntryPoint; aeTitle: string };
    /** Path of its own web interface. */
    uiPath: string;
    /** Its own administrator, where it has one. */
    admin?: { username: string; password: pulumi.Output<string> };
    /** Per peer, the credentials it sends (Orthanc). */
    peerCredentials?: pulumi.Output<Record<string, { username: string; password: string }>>;
}

/** What every archive kind needs from the platform and how it is built for a site. */
/** What an archive learns about its site: the viewer's URL and, with single sign-on, the identity provider. */
export interface SiteContext {
    viewerUrl: pulumi.Output<string>;
    /** @default none (the basic-auth login) */
    identity?: IdentityProvider;
}

export interface ArchiveKindSpec {
    friendlyName: string;
    /** Needs the platform's shared PostgreSQL. */
    needsDatabase: boolean;
    /**
     * The certificates its component's in-cluster TLS servers need (names from the platform's name): server
     * certificates of their own, and the names the DICOM certificate must also carry (a server presenting it).
     */
    certificates(platformName: string, namespace: string): ArchiveCertificates;
    build(core: PlatformCore, site: SiteContext): SiteArchive;
}

function orthanc(core: PlatformCore): SiteArchive {
    const { config, name } = core;
    const database = core.database!;
    const component = new Orthanc(
        `${name}-orthanc`,
        {
            namespace: config.namespace,
            image: config.orthanc.image,
            publicAuthority: core.webAuthority,
            maxRequestBodyMiB: config.uploadLimitMiB,
            replicas: config.orthanc.replicas,
            aeTitle: config.orthanc.aeTitle,
            modalities: config.modalityAccess,
            plugins: config.orthanc.plugins,
            extraConfig: config.orthanc.extraConfig,
            peers: config.orthanc.peers,
            forwarding: config.orthanc.forwarding,
            stableAgeSeconds: config.orthanc.stableAgeSeconds,
            storage: { size: config.orthanc.storageSize, storageClass: config.orthanc.storageClass, accessMode: config.orthanc.accessMode },
            temporarySize: config.orthanc.temporarySize,
            storageCeilingMiB: config.orthanc.storageCeilingMiB,
            resources: config.orthanc.resources,
            database: {
                host: database.host,
                port: database.port,
                name: database.database,
                username: database.username,
                passwordSecret: database.passwordSecret,
                pods: { namespace: config.namespace, podLabels: database.podLabels },
            },
            dicomTlsSecretName: core.certificates.dicomTlsSecretName,
            httpsTlsSecretName: core.certificates.serviceTlsSecretNames[httpsCertificateId("orthanc")],
            trustedModalitiesPem: core.certificates.modalityTrustPem,
            certificatesChecksum: core.certificates.checksumOf([
                core.certificates.dicomTlsSecretName,
                core.certificates.serviceTlsSecretNames[httpsCertificateId("orthanc")],
            ]),
            keptObjectProvider: core.keptObjectProvider,
            keptSecrets: core.keptSecrets,
            webUser: { username: core.webUser.username, password: core.webUser.password },
        },
        { ...core.inApp, dependsOn: [core.namespaces.app, core.certificates, database] },
    );
    return {
        kind: "orthanc",
        published: component.published,
        dataSource: { name: "orthanc", friendlyName: "Orthanc", archive: "orthanc", dicomWebPath: ORTHANC_WEB_PATHS.dicomWeb, wadoUriPath: ORTHANC_WEB_PATHS.wadoUri },
        dicom: { entryPoint: component.published.entryPoints[0], aeTitle: component.aeTitle },
        uiPath: ORTHANC_WEB_PATHS.ui,
        admin: { username: component.adminUsername, password: component.adminPassword },
        peerCredentials: component.peerCredentials,
    };
}

function dcm4chee(core: PlatformCore, site: SiteContext): SiteArchive {
    const { config, name } = core;
    const component = new Dcm4chee(
        dcm4cheeComponentName(name),
        {
            namespace: config.namespace,
            images: config.dcm4chee.images,
            aeTitle: config.dcm4chee.aeTitle,
            publicHost: core.domain,
            studyViewerUrl: pulumi.interpolate`${site.viewerUrl}viewer/dcm4chee?StudyInstanceUIDs={{studyUID}}`,
            storage: { size: config.dcm4chee.storageSize, databaseSize: config.dcm4chee.databaseSize, storageClass: config.storageClass },
            resources: config.dcm4chee.resources,
            dicomTlsSecretName: core.certificates.dicomTlsSecretName,
            serverTlsSecretNames: {
                ldap: core.certificates.serviceTlsSecretNames[DCM4CHEE_CERTIFICATES.ldap],
                database: core.certificates.serviceTlsSecretNames[DCM4CHEE_CERTIFICATES.database],
            },
            trustedModalitiesPem: core.certificates.modalityTrustPem,
            certificatesChecksums: {
                ldap: core.certificates.checksumOf([core.certificates.serviceTlsSecretNames[DCM4CHEE_CERTIFICATES.ldap]]),
                database: core.certificates.checksumOf([core.certificates.serviceTlsSecretNames[DCM4CHEE_CERTIFICATES.database]]),
                archive: core.certificates.checksumOf([core.certificates.dicomTlsSecretName]),
            },
            keptObjectProvider: core.keptObjectProvider,
            keptSecrets: core.keptSecrets,
            signIn: site.identity && { keycloakInternalUrl: site.identity.internalUrl, keycloakPublicUrl: site.identity.publicUrl, keycloak: site.identity.workload },
            backup: config.backup.enabled
                ? {
                      schedule: config.backup.schedule,
                      retention: config.backup.retention,
                      storageSize: config.backup.storageSize ?? config.dcm4chee.databaseSize,
                      ...(config.backup.target.kind === "s3" ? { s3: config.backup.target } : {}),
                      keptObjectProvider: core.keptObjectProvider,
                  }
                : undefined,
        },
        { ...core.inApp, dependsOn: [core.namespaces.app, core.certificates] },
    );
    const paths = archivePaths(component.aeTitle);
    return {
        kind: "dcm4chee",
        published: component.published,
        dataSource: { name: "dcm4chee", friendlyName: "dcm4chee", archive: "dcm4chee", dicomWebPath: paths.dicomWeb, wadoUriPath: paths.wadoUri },
        dicom: { entryPoint: component.published.entryPoints[0], aeTitle: component.aeTitle },
        uiPath: paths.ui,
    };
}

/** What an archive kind asks of the platform's Certificates. */
export interface ArchiveCertificates {
    services: ServerCertificate[];
    dicomServiceHosts: string[];
}

/** The id of an archive kind's own HTTPS certificate (Certificates' server certificates). */
export function httpsCertificateId(kind: ArchiveKind): string {
    return `${kind}-https`;
}

/** The archive kinds a site can hold: the one place that names them. */
export const ARCHIVE_KINDS: Record<ArchiveKind, ArchiveKindSpec> = {
    orthanc: {
        friendlyName: "Orthanc",
        needsDatabase: true,
        // Its HTTPS presents a certificate of its own, read from one file with its key.
        certificates: (platform, namespace) => ({
            services: [{ id: httpsCertificateId("orthanc"), hosts: serviceHostNames(`${platform}-orthanc`, namespace), bundle: true }],
            dicomServiceHosts: [],
        }),
        build: orthanc,
    },
    dcm4chee: {
        friendlyName: "dcm4chee",
        needsDatabase: false,
        // LDAP and its database have their own; Wildfly's HTTPS presents the DICOM certificate (its KEYSTORE).
        certificates: (platform, namespace) => ({
            services: dcm4cheeCertificateHosts(dcm4cheeComponentName(platform), namespace),
            dicomServiceHosts: serviceHostNames(dcm4cheeComponentName(platform), namespace),
        }),
        build: dcm4chee,
    },
};
