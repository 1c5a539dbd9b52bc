/** Extra response headers of one route (the viewer's content security policy and cross-origin isolation). */
export interface RouteResponseHeaders {
    contentSecurityPolicy: string;
    custom: Record<string, string>;
}

import { ARCHIVE_WEBAPP, archivePaths } from "../dcm4chee/paths";

/** One HTTPS path on the public host, served by one in-cluster Service. */
export interface WebRoute {
    /** Short name, unique in the table. */
    name: string;
    /** Public path prefix without trailing slash, e.g. `/dicom-web`; `/` is the catch-all with the lowest priority. */
    path: string;
    service: { name: string; port: number };
    /** Remove `path` before forwarding (the backend serves at its root). */
    stripPath: boolean;
    /**
     * Every route asks for the web user's credentials (Traefik basicAuth). "edge": Traefik checks them and removes
     * the Authorization header; "edge-and-backend": Traefik checks them and forwards the header, so the backend,
     * which knows the same user, checks them again with its own authentication left on.
     */
    authentication: "edge" | "edge-and-backend";
    responseHeaders?: RouteResponseHeaders;
}

/** A permanent redirect of one exact path (e.g. `/` to the viewer's prefix). */
export interface Redirect {
    name: string;
    from: string;
    to: string;
    /** The Service the router names; it never sees the request. */
    service: { name: string; port: number };
}

/** One raw TCP entrypoint forwarded to a Service (TLS passes through untouched). */
export interface TcpRoute {
    name: string;
    entryPoint: string;
    service: { name: string; port: number };
}

export interface RouteTable {
    web: WebRoute[];
    tcp: TcpRoute[];
    redirects: Redirect[];
}

export interface RouteTableInput {
    /** Orthanc's Services; absent when Orthanc is not deployed. */
    orthanc?: { service: string; httpPort: number; dicomPort: number };
    /** Entrypoint of Orthanc's DICOM-TLS. */
    dicomEntryPoint: string;
    /** The OHIF viewer, served at `path` ("/" or a prefix its image was built for). */
    viewer?: { service: string; port: number; path: string; responseHeaders: RouteResponseHeaders };
    /** dcm4chee's archive; its DICOM-TLS port gets an entrypoint of its own. */
    dcm4chee?: { service: string; httpPort: number; dicomTlsPort: number; aeTitle: string; dicomEntryPoint: string };
}

/** Public paths of each archive's web services, as the routes below serve them (the viewer's data sources). */
export function archiveWebPaths(aeTitle = "DCM4CHEE") {
    return {
        orthanc: { ui: "/orthanc/", dicomWeb: "/dicom-web", wadoUri: "/orthanc/wado" },
        // dcm4chee's UI only works at its native path, so the webapp keeps /dcm4chee-arc.
        dcm4chee: archivePaths(aeTitle),
    };
}

/** Every public route of the platform. IngressRoutes and NetworkPolicies are derived from this one table. */
export function renderRouteTable(input: RouteTableInput): RouteTable {
    const web: WebRoute[] = [];
    const tcp: TcpRoute[] = [];
    const redirects: Redirect[] = [];
    if (input.orthanc) {
        const orthancHttp = { name: input.orthanc.service, port: input.orthanc.httpPort };
        // Orthanc keeps AuthenticationEnabled: the web user is one of its RegisteredUsers and the header reaches it.
        // REST API and Orthanc Explorer; Orthanc serves them at its root.
        web.push({ name: "orthanc", path: "/orthanc", service: orthancHttp, stripPath: true, authentication: "edge-and-backend" });
        // DICOMweb keeps its path: the plugin's Root is /dicom-web/.
        web.push({ name: "dicom-web", path: "/dicom-web", service: orthancHttp, stripPath: false, authentication: "edge-and-backend" });
        tcp.push({ name: "orthanc-dicom", entryPoint: input.dicomEntryPoint, service: { name: input.orthanc.service, port: input.orthanc.dicomPort } });
    }
    if (input.dcm4chee) {
        const archive = { name: input.dcm4chee.service, port: input.dcm4chee.httpPort };
        // UI (/ui2), DICOMweb (/aets/<AET>/rs) and WADO-URI; the image has no REST authentication of its own.
        web.push({ name: "dcm4chee", path: ARCHIVE_WEBAPP, service: archive, stripPath: false, authentication: "edge" });
        tcp.push({ name: "dcm4chee-dicom", entryPoint: input.dcm4chee.dicomEntryPoint, service: { name: input.dcm4chee.service, port: input.dcm4chee.dicomTlsPort } });
    }
    if (input.viewer) {
        const viewer = { name: input.viewer.service, port: input.viewer.port };
        // The image serves its web root at PUBLIC_URL = the viewer's path, so the prefix is kept.
        web.push({ name: "viewer", path: input.viewer.path, service: viewer, stripPath: false, authentication: "edge", responseHeaders: input.viewer.responseHeaders });
        if (input.viewer.path !== "/") {
            redirects.push({ name: "root", from: "/", to: `${input.viewer.path}/`, service: viewer });
        }
    }
    return { web, tcp, redirects };
}
