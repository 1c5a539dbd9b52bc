import * as pulumi from "@pulumi/pulumi";
import { ARCHIVES, ArchiveKind } from "../config/schema";
import { SiteConfig } from "../config/validate";
import { OhifViewer } from "../ohif/ohif-viewer";
import { publicUrl } from "../ohif/paths";
import { Publication } from "../publish/published";
import { ARCHIVE_KINDS, ArchiveCertificates, SiteArchive } from "./archives";
import { PlatformCore } from "./core";
import type { IdentityProvider } from "./sign-in";

/** Where modalities send DICOM. */
export interface DicomEndpoint {
    host: pulumi.Input<string>;
    port: number;
    aeTitle: string;
}


/** What a built site publishes and shows its users. */
export interface Site {
    publications: Publication[];
    viewerUrl: pulumi.Output<string>;
    archiveUis: Partial<Record<ArchiveKind, pulumi.Output<string>>>;
    dicomEndpoints: Partial<Record<ArchiveKind, DicomEndpoint>>;
    dicomEndpoint: DicomEndpoint;
    /** The administrator of the archive that has one (Orthanc). */
    admin?: { username: string; password: pulumi.Output<string> };
    /** The credentials Orthanc sends to each of its peers; undefined without Orthanc. */
    peerCredentials?: pulumi.Output<Record<string, { username: string; password: string }>>;
}

/** Builds a site's archives (in the platform's archive order) and its viewer, with one data source per archive. */
export function createSite(core: PlatformCore, site: SiteConfig, identity?: IdentityProvider): Site {
    const base = core.webUrl.apply((url) => url.slice(0, -1));
    const viewerUrl = pulumi.interpolate`${base}${publicUrl(site.viewerPath)}`;
    const archives = new Map<ArchiveKind, SiteArchive>();
    for (const kind of ARCHIVES.filter((k) => site.archives.includes(k))) {
        archives.set(kind, ARCHIVE_KINDS[kind].build(core, { viewerUrl, identity }));
    }
    const viewer = new OhifViewer(
        `${core.name}-viewer`,
        {
            namespace: core.config.namespace,
            image: core.config.viewer.image,
            path: site.viewerPath,
            dataSources: site.archives.map((kind) => archives.get(kind)!.dataSource),
            defaultDataSource: site.defaultArchive,
            replicas: core.config.platform === "cloud" ? 2 : 1,
            resources: core.config.viewer.resources,
        },
        core.inApp,
    );
    const nodePorts = core.config.serviceType === "NodePort";
    const dicomEndpoints = Object.fromEntries(
        [...archives].map(([kind, archive]) => [
            kind,
            { host: core.domain, port: nodePorts ? archive.dicom.entryPoint.nodePort : archive.dicom.entryPoint.port, aeTitle: archive.dicom.aeTitle },
        ]),
    ) as Partial<Record<ArchiveKind, DicomEndpoint>>;
    return {
        publications: [...[...archives.values()].map((a) => a.published), viewer.published],
        viewerUrl,
        archiveUis: Object.fromEntries(site.archives.map((kind) => [kind, pulumi.interpolate`${base}${archives.get(kind)!.uiPath}`])),
        dicomEndpoints,
        dicomEndpoint: dicomEndpoints[site.defaultArchive]!,
        admin: [...archives.values()].find((a) => a.admin)?.admin,
        peerCredentials: [...archives.values()].find((a) => a.peerCredentials)?.peerCredentials,
    };
}

/** Whether any of the sites holds an archive that needs the shared PostgreSQL. */
export function sitesNeedDatabase(sites: SiteConfig[]): boolean {
    return sites.some((site) => site.archives.some((kind) => ARCHIVE_KINDS[kind].needsDatabase));
}

/** The certificates the sites' archives ask of the platform, each archive kind once, in a stable order. */
export function sitesCertificates(name: string, namespace: string, sites: SiteConfig[]): ArchiveCertificates {
    const kinds = [...new Set(sites.flatMap((site) => site.archives))].sort();
    const asked = kinds.map((kind) => ARCHIVE_KINDS[kind].certificates(name, namespace));
    return { services: asked.flatMap((a) => a.services), dicomServiceHosts: asked.flatMap((a) => a.dicomServiceHosts) };
}
