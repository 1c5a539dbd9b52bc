import { BackendTls, Protection, Publication, RouteResponseHeaders, SignInKind } from "../publish/published";

export { RouteResponseHeaders } from "../publish/published";

/** An in-cluster Service port a router forwards to; `tls`: it serves HTTPS, which the edge verifies. */
export interface RouteService {
    name: string;
    port: number;
    tls?: BackendTls;
}

/** One HTTPS path on the public host, served by one in-cluster Service. */
export interface WebRoute {
    /** Short name, unique in the table. */
    name: string;
    /** Public path prefix without trailing slash, e.g. `/dicom-web`; `/` is the catch-all with the lowest priority. */
    path: string;
    service: RouteService;
    /** Remove `path` before forwarding (the backend serves at its root). */
    stripPath: boolean;
    protection: Protection;
    /** Without a session: pages are redirected to the sign-in page, APIs answer 401 (single sign-on). */
    signIn: SignInKind;
    /** Sub-paths (relative to `path`) of an API route that are pages: "/" for the root, else prefixes. */
    pagePaths: string[];
    /**
     * "none": a public route. Otherwise the route asks for the web user's credentials (Traefik basicAuth).
     * "edge": Traefik checks them and removes the Authorization header; "edge-and-backend": Traefik checks them and
     * forwards the header, so the backend, which knows the same user, checks them again with its own
     * authentication left on.
     */
    authentication: "none" | "edge" | "edge-and-backend";
    /** Single sign-on: the client's Authorization header reaches the backend (which checks its tokens itself). */
    passAuthorization: boolean;
    /** Body limit of this route's writes when it differs from the edge's, in MiB. */
    uploadLimitMiB?: number;
    responseHeaders?: RouteResponseHeaders;
}

/** A permanent redirect of one exact path (e.g. `/` to the viewer's prefix). */
export interface Redirect {
    name: string;
    from: string;
    to: string;
    /** The Service the router names; it never sees the request. */
    service: RouteService;
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

/**
 * Every public route of the platform, from what its components publish, in publication order. IngressRoutes and
 * NetworkPolicies are derived from this one table.
 */
export function renderRouteTable(publications: Publication[]): RouteTable {
    const service = (backend: { service: string; port: number; tls?: BackendTls }): RouteService => ({
        name: backend.service,
        port: backend.port,
        ...(backend.tls ? { tls: backend.tls } : {}),
    });
    return {
        web: publications.flatMap((p) =>
            p.routes.map((route) => ({
                name: route.name,
                path: route.path,
                service: service(route.backend),
                stripPath: route.stripPath ?? false,
                protection: route.protection,
                signIn: route.signIn ?? ("page" as const),
                pagePaths: route.pagePaths ?? [],
                passAuthorization: route.passAuthorization ?? false,
                authentication: route.protection === "public" ? ("none" as const) : route.forwardCredentials ? ("edge-and-backend" as const) : ("edge" as const),
                ...(route.uploadLimitMiB !== undefined ? { uploadLimitMiB: route.uploadLimitMiB } : {}),
                ...(route.responseHeaders ? { responseHeaders: route.responseHeaders } : {}),
            })),
        ),
        // TLS of a TCP entrypoint passes through to the backend untouched: the edge never speaks it.
        tcp: publications.flatMap((p) => p.entryPoints.map((e) => ({ name: e.name, entryPoint: e.entryPoint, service: { name: e.backend.service, port: e.backend.port } }))),
        redirects: publications.flatMap((p) => p.redirects.map((r) => ({ name: r.name, from: r.from, to: r.to, service: service(r.backend) }))),
    };
}
