/**
 * What a component publishes about itself for the rest of the platform: plain typed data. The edge (route table,
 * Traefik objects), the network (NetworkPolicies) and monitoring (scrape targets) are pure functions of it, so a
 * new service adds its own folder and publishes; nothing that renders the edge or the network names it.
 */
import * as pulumi from "@pulumi/pulumi";
import { PortSpec } from "../kube/network-policy";

/** Pods chosen by labels in one namespace. */
export interface Workload {
    namespace: string;
    podLabels: Record<string, string>;
}

/** How the edge verifies a backend that serves HTTPS: the name its certificate carries and the CA it chains to. */
export interface BackendTls {
    /** Host name the edge sends (SNI) and checks the certificate against, e.g. `<service>.<namespace>.svc`. */
    serverName: string;
    /** Secret (in the backend's namespace) whose `ca.crt` is the only CA the edge trusts for this backend. */
    caSecretName: string;
}

/** One port of an in-cluster Service and the pods behind it (whom the NetworkPolicies let traffic reach). */
export interface Backend {
    service: string;
    port: number;
    pods: Workload;
    /**
     * The port serves HTTPS, verified by the edge (web routes only; TCP entrypoints pass TLS through untouched).
     * @default plain HTTP
     */
    tls?: BackendTls;
}

/**
 * Who may use a web route. With single sign-on (the default) "user" routes admit members of pacstack-user or
 * pacstack-admin and "admin" routes members of pacstack-admin only (others get 403); with the explicit basic-auth
 * login both ask for the one web user.
 */
export type Protection = "public" | "user" | "admin";

/** What a request without a session gets on a protected route: pages a redirect to the sign-in page, APIs 401. */
export type SignInKind = "page" | "api";

/** Extra response headers of one route (for example a content security policy). */
export interface RouteResponseHeaders {
    contentSecurityPolicy: string;
    custom: Record<string, string>;
}

/** An HTTPS path on the public host. */
export interface PublishedRoute {
    /** Short name, unique on the platform (it names the route's Middlewares). */
    name: string;
    /** Public path prefix without trailing slash, e.g. `/dicom-web`; `/` is the catch-all with the lowest priority. */
    path: string;
    backend: Backend;
    /**
     * Remove `path` before forwarding (the backend serves at its root).
     * @default false
     */
    stripPath?: boolean;
    protection: Protection;
    /**
     * Browser pages (redirected to the sign-in page when signed out) or an API (401, never a redirect).
     * @default "page"
     */
    signIn?: SignInKind;
    /**
     * Sub-paths of an API route that are browser pages (for example an administration UI served beside a REST
     * API), relative to `path`: "/" is the route's root itself, others are prefixes such as "/ui/app/".
     * @default none
     */
    pagePaths?: string[];
    /**
     * The backend knows the web user and checks the credentials again, so the edge forwards the Authorization header.
     * @default false: the edge removes it
     */
    forwardCredentials?: boolean;
    /**
     * The backend checks the client's own bearer tokens itself (Keycloak's admin console): with single sign-on the
     * edge passes the client's Authorization header on unchanged after its own check.
     * @default false: the edge removes it (or, with forwardCredentials, replaces it with its own credential)
     */
    passAuthorization?: boolean;
    /**
     * Largest request body (POST/PUT) the edge accepts on this route, in MiB.
     * @default the platform's upload limit
     */
    uploadLimitMiB?: number;
    responseHeaders?: RouteResponseHeaders;
}

/** A permanent redirect of one exact path (e.g. `/` to the viewer's prefix), behind the same login. */
export interface PublishedRedirect {
    name: string;
    from: string;
    to: string;
    /** The Service the router names; it never sees the request. */
    backend: Backend;
}

/** A raw TCP port on the edge whose TLS passes through untouched to the backend (DICOM-TLS). */
export interface PublishedEntryPoint {
    /** Short name of the route, unique on the platform. */
    name: string;
    /** Traefik entrypoint name. */
    entryPoint: string;
    /** Public port (LoadBalancer), also Traefik's container port. */
    port: number;
    /** Port on the nodes where the edge is a NodePort Service (minikube, MicroK8s). */
    nodePort: number;
    backend: Backend;
}

/** Traffic a component needs from one workload to another: both sides' NetworkPolicies allow exactly it. */
export interface PublishedFlow {
    /** Unique on the platform; names the two NetworkPolicies `<platform>-<name>-ingress|egress`. */
    name: string;
    from: Workload;
    to: Workload;
    ports: PortSpec[];
}

/** A Prometheus endpoint and the credential a scraper needs for it. */
export interface MetricsEndpoint {
    name: string;
    backend: Backend;
    path: string;
    /** Basic-auth credential the endpoint asks for; undefined: none. The password stays a secret Output. */
    credential?: { username: string; password: pulumi.Input<string> };
}

/** Everything one component publishes. */
export interface Publication {
    /** The component's name, for messages. */
    owner: string;
    routes: PublishedRoute[];
    redirects: PublishedRedirect[];
    entryPoints: PublishedEntryPoint[];
    flows: PublishedFlow[];
    metrics: MetricsEndpoint[];
}

/** A component that publishes (every pacstack service, and services a program adds to a Platform). */
export interface Publishing {
    readonly published: Publication;
}

/** A publication with the given parts and every other list empty. */
export function publication(owner: string, parts: Partial<Omit<Publication, "owner">>): Publication {
    return { owner, routes: [], redirects: [], entryPoints: [], flows: [], metrics: [], ...parts };
}

/**
 * Names that must be unique across publications (routes, redirects, entrypoints, flows, metrics), and paths and
 * entrypoints two components cannot share. Returns one sentence per clash, naming both owners.
 */
export function publicationClashes(publications: Publication[]): string[] {
    const problems: string[] = [];
    const seen = new Map<string, string>();
    const claim = (what: string, owner: string) => {
        const other = seen.get(what);
        if (other !== undefined) {
            problems.push(`${what} is published by both ${other} and ${owner}`);
        } else {
            seen.set(what, owner);
        }
    };
    for (const p of publications) {
        p.routes.forEach((r) => (claim(`web route name "${r.name}"`, p.owner), claim(`web path "${r.path}"`, p.owner)));
        p.redirects.forEach((r) => claim(`redirect name "${r.name}"`, p.owner));
        p.entryPoints.forEach((e) => (claim(`entrypoint route name "${e.name}"`, p.owner), claim(`entrypoint "${e.entryPoint}"`, p.owner), claim(`edge port ${e.port}`, p.owner)));
        p.flows.forEach((f) => claim(`flow "${f.name}"`, p.owner));
        p.metrics.forEach((m) => claim(`metrics endpoint "${m.name}"`, p.owner));
    }
    return problems;
}
