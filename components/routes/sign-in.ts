/**
 * The edge's login under single sign-on: Traefik forwardAuth Middlewares that ask oauth2-proxy, one per protection
 * level, kind of route (page or API) and whether the backend gets the edge's own credential. Pure functions of the
 * route table.
 */
import {
    BACKEND_AUTHORIZATION_HEADER,
    IDENTITY_HEADERS,
    ProxyProtection,
    SESSION_COOKIE,
    SignInKind,
    forwardAuthAddress,
} from "../oauth2-proxy/settings";
import { RouteTable, WebRoute } from "./table";

const API_VERSION = "traefik.io/v1alpha1";

/** How the routes ask for a login: the one web user (Traefik basicAuth) or single sign-on (forwardAuth). */
export type EdgeLogin =
    | { kind: "basic"; /** Secret (in the routes' namespace) whose `users` key holds the htpasswd line. */ secretName: string }
    | {
          kind: "sso";
          /** oauth2-proxy's in-cluster base URL, e.g. `http://pacstack-oauth2-proxy.pacstack.svc:4180`. */
          proxyUrl: string;
      };

/** One forwardAuth Middleware: who passes, what a request without a session gets, and whether the backend gets the edge's credential. */
export interface SsoCheck {
    protection: ProxyProtection;
    kind: SignInKind;
    /** The backend keeps its own authentication: it gets the edge's credential (Authorization from the proxy's answer). */
    backendCredential: boolean;
    /** The backend checks the client's own tokens: its Authorization header passes unchanged. */
    passAuthorization?: boolean;
}

export function ssoMiddlewareName(prefix: string, check: SsoCheck): string {
    return `${prefix}-sso-${check.protection}-${check.kind}${check.backendCredential ? "-backend" : ""}`;
}
export const dropAuthorizationName = (prefix: string) => `${prefix}-drop-authorization`;

/**
 * The session cookie and the parts oauth2-proxy splits it into when it outgrows 4 KiB: a refreshed session comes
 * back on the proxy's 202, and only these cookies of that answer reach the browser.
 */
export const SESSION_COOKIE_NAMES = [SESSION_COOKIE, ...[0, 1, 2, 3].map((part) => `${SESSION_COOKIE}_${part}`)];

/** The checks one web route needs: its own kind, plus page checks for its page sub-paths. */
export function routeChecks(route: WebRoute): { main: SsoCheck; pages?: SsoCheck } | undefined {
    if (route.authentication === "none" || route.protection === "public") return undefined;
    const base = { protection: route.protection, backendCredential: route.authentication === "edge-and-backend", passAuthorization: route.passAuthorization };
    const main = { ...base, kind: route.signIn };
    return route.signIn === "api" && route.pagePaths.length > 0 ? { main, pages: { ...base, kind: "page" } } : { main };
}

/** The Middlewares of one check, in the order a router lists them. */
export function ssoMiddlewares(prefix: string, check: SsoCheck): { name: string }[] {
    const auth = { name: ssoMiddlewareName(prefix, check) };
    // The backend that does not keep its own authentication never sees a client's token or the edge's credential.
    return check.backendCredential || check.passAuthorization ? [auth] : [auth, { name: dropAuthorizationName(prefix) }];
}

/** The redirect routers' check: a signed-in user of any group, as a page. */
export const REDIRECT_CHECK: SsoCheck = { protection: "user", kind: "page", backendCredential: false };

/** Every forwardAuth Middleware the table needs (each once, in a fixed order) and the Authorization remover. */
export function renderSsoMiddlewares(prefix: string, namespace: string, proxyUrl: string, table: RouteTable) {
    const checks = new Map<string, SsoCheck>();
    let dropsAuthorization = false;
    const add = (check: SsoCheck | undefined) => {
        if (!check) return;
        checks.set(ssoMiddlewareName(prefix, check), { protection: check.protection, kind: check.kind, backendCredential: check.backendCredential });
        dropsAuthorization ||= ssoMiddlewares(prefix, check).length > 1;
    };
    for (const route of table.web) {
        const needed = routeChecks(route);
        add(needed?.main);
        add(needed?.pages);
    }
    if (table.redirects.length > 0) add(REDIRECT_CHECK);
    const docs = [...checks.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, check]) => ({
            apiVersion: API_VERSION,
            kind: "Middleware",
            metadata: { name, namespace },
            spec: {
                forwardAuth: {
                    address: forwardAuthAddress(proxyUrl, check.protection, check.kind),
                    // Traefik writes X-Forwarded-* itself from the request it received; a client's are not trusted.
                    trustForwardHeader: false,
                    // The proxy needs only the session cookie, a bearer token, and Accept (JSON callers get 401).
                    authRequestHeaders: ["Accept", "Authorization", "Cookie"],
                    // Listed headers are removed from the client's request and set from the proxy's answer only.
                    authResponseHeaders: [...IDENTITY_HEADERS, ...(check.backendCredential ? [BACKEND_AUTHORIZATION_HEADER] : [])],
                    addAuthCookiesToResponse: SESSION_COOKIE_NAMES,
                },
            },
        }));
    if (!dropsAuthorization) return docs;
    return [
        ...docs,
        {
            apiVersion: API_VERSION,
            kind: "Middleware",
            metadata: { name: dropAuthorizationName(prefix), namespace },
            // An empty value removes the header from the forwarded request.
            spec: { headers: { customRequestHeaders: { [BACKEND_AUTHORIZATION_HEADER]: "" } } },
        },
    ];
}

/**
 * The rule of a route's page router: its page sub-paths ("/" is the route's root, with and without the slash;
 * others are prefixes), reads only, so that writes keep the route's size-limited router.
 */
export function pagePathRule(domain: string, route: WebRoute): string {
    const parts = route.pagePaths.map((sub) =>
        sub === "/" ? `Path(\`${route.path}\`) || Path(\`${route.path}/\`)` : `PathPrefix(\`${route.path}${sub}\`)`,
    );
    return `Host(\`${domain}\`) && (${parts.join(" || ")}) && (Method(\`GET\`) || Method(\`HEAD\`))`;
}
