/**
 * oauth2-proxy's configuration as pacstack runs it: the command-line arguments (core options) and the alpha
 * configuration document (provider, headers, server), both pure functions of typed input. The Helm release and the
 * real-software tests start oauth2-proxy with exactly these; tests change only addresses and paths.
 */
import { ADMIN_GROUP, PROXY_CLIENT_ID, REALM_NAME, USER_GROUP } from "../keycloak/realm";

/** The session cookie: `__Host-` makes browsers insist on Secure, path `/` and no Domain attribute. */
export const SESSION_COOKIE = "__Host-pacstack-session";
/** The prefix of oauth2-proxy's own paths (sign-in callback, sign-out, the auth endpoint). */
export const PROXY_PREFIX = "/oauth2";
/** Port oauth2-proxy serves on (HTTP inside the cluster; only Traefik reaches it). */
export const PROXY_PORT = 4180;
export const PROXY_METRICS_PORT = 44180;
/**
 * How often a signed-in session is refreshed at Keycloak. A refresh after Keycloak ended the session (an
 * administrator's logout, a disabled account) fails and clears the session. Sign-out itself needs no refresh: it
 * deletes the session from the session store, so a copy of the cookie is refused at once.
 */
export const COOKIE_REFRESH = "1m";
/** Longest a session lives without signing in again. */
export const COOKIE_EXPIRE = "10h";

/** Who may pass a route: any signed-in member of a pacstack group, or administrators only. */
export type ProxyProtection = "user" | "admin";

/** The groups whose members pass each protection level (oauth2-proxy's `allowed_groups`). */
export const ALLOWED_GROUPS: Record<ProxyProtection, string[]> = {
    user: [USER_GROUP, ADMIN_GROUP],
    admin: [ADMIN_GROUP],
};

export interface ProxySettingsInput {
    /** The site's public base URL with a trailing slash, e.g. `https://pacs.example.org/` (browsers). */
    publicUrl: string;
    /** Keycloak's public base URL (its `--hostname`), e.g. `https://pacs.example.org/auth`: browsers sign in there. */
    keycloakPublicUrl: string;
    /**
     * Keycloak's in-cluster base URL, e.g. `http://pacstack-keycloak.pacstack.svc:8080/auth`: the proxy redeems codes,
     * refreshes sessions, fetches keys and ends sessions there, never through the public name (which often does not
     * resolve, or resolves to the load balancer, inside the cluster).
     */
    keycloakInternalUrl: string;
    /** Address:port the proxy listens on. @default 0.0.0.0:4180 */
    listen?: string;
    /** Address:port of the metrics server. @default 0.0.0.0:44180 */
    metricsListen?: string;
    /** File holding the oauth2-proxy client's secret (mounted from a Secret). */
    clientSecretFile: string;
    /**
     * The server-side session store (Valkey/Redis over TLS): the cookie holds only a ticket (the session's key and
     * the key that encrypts it), so deleting the session at sign-out makes every copy of the cookie useless.
     * The password comes from the environment (SESSION_STORE_PASSWORD_ENV).
     */
    sessionStore: { url: string; username: string; caFile: string };
    /**
     * Environment variable holding the value of the Authorization header the edge presents to backends that keep
     * their own authentication (Orthanc): `Basic <base64 of user:password>`. Undefined: no such header.
     */
    backendAuthorizationEnv?: string;
}

const realmUrl = (base: string) => `${base.replace(/\/+$/, "")}/realms/${REALM_NAME}`;

/** Problems with the input (empty when valid): absolute URLs, https in public, API paths as published. */
export function proxySettingsProblems(input: ProxySettingsInput): string[] {
    const problems: string[] = [];
    const url = (key: string, value: string, protocols: string[]) => {
        let parsed: URL | undefined;
        try {
            parsed = new URL(value);
        } catch {
            /* reported below */
        }
        if (!parsed || !protocols.includes(parsed.protocol) || parsed.username || parsed.password || parsed.search || parsed.hash) {
            problems.push(`${key}: ${JSON.stringify(value)} is not a ${protocols.join(" or ")} URL without credentials, query or fragment`);
        }
    };
    url("publicUrl", input.publicUrl, ["https:"]);
    if (!input.publicUrl.endsWith("/")) problems.push(`publicUrl: ${JSON.stringify(input.publicUrl)} must end with /`);
    url("keycloakPublicUrl", input.keycloakPublicUrl, ["https:"]);
    url("keycloakInternalUrl", input.keycloakInternalUrl, ["http:", "https:"]);
    url("sessionStore.url", input.sessionStore.url, ["rediss:"]);
    if (!/^[a-z][a-z0-9-]*$/.test(input.sessionStore.username)) problems.push(`sessionStore.username: ${JSON.stringify(input.sessionStore.username)} is not a plain user name`);
    if (!/^\/[A-Za-z0-9._/-]+$/.test(input.sessionStore.caFile)) problems.push(`sessionStore.caFile: ${JSON.stringify(input.sessionStore.caFile)} is not an absolute path`);
    if (input.backendAuthorizationEnv !== undefined && !/^[A-Z_][A-Z0-9_]*$/.test(input.backendAuthorizationEnv)) {
        problems.push(`backendAuthorizationEnv: ${JSON.stringify(input.backendAuthorizationEnv)} is not an environment variable name`);
    }
    return problems;
}

function check(input: ProxySettingsInput): void {
    const problems = proxySettingsProblems(input);
    if (problems.length > 0) throw new Error(`invalid oauth2-proxy settings: ${problems.join("; ")}`);
}

/** The proxy's command-line arguments (its core options; the rest is in the alpha configuration). */
export function renderProxyArguments(input: ProxySettingsInput): string[] {
    check(input);
    const redirect = new URL(`${PROXY_PREFIX.slice(1)}/callback`, input.publicUrl).toString();
    return [
        // Behind Traefik: X-Forwarded-Host/-Proto/-Uri name the original request (NetworkPolicy: only Traefik calls).
        "--reverse-proxy=true",
        `--proxy-prefix=${PROXY_PREFIX}`,
        `--redirect-url=${redirect}`,
        // After sign-in the browser returns to the page it asked for, on this host only.
        `--whitelist-domain=${new URL(input.publicUrl).host}`,
        `--cookie-name=${SESSION_COOKIE}`,
        "--cookie-secure=true",
        "--cookie-httponly=true",
        "--cookie-path=/",
        "--cookie-samesite=lax",
        `--cookie-expire=${COOKIE_EXPIRE}`,
        `--cookie-refresh=${COOKIE_REFRESH}`,
        "--cookie-csrf-per-request=true",
        "--cookie-csrf-expire=15m",
        // Sessions live in the store; the cookie holds a ticket. Sign-out deletes the session there (refused at once).
        "--session-store-type=redis",
        `--redis-connection-url=${input.sessionStore.url}`,
        `--redis-username=${input.sessionStore.username}`,
        // rediss://: TLS, the store's certificate verified for the URL's host against this CA.
        `--redis-ca-path=${input.sessionStore.caFile}`,
        // Who may sign in is decided by the realm (accounts are created there); groups decide what they reach.
        "--email-domain=*",
        // Scripts present a token of the scripts' client; its signature, issuer, expiry and audience are checked.
        "--skip-jwt-bearer-tokens=true",
        // Pages go straight to Keycloak's login page instead of oauth2-proxy's own "sign in with" page.
        "--skip-provider-button=true",
        "--silence-ping-logging=true",
        // Query strings carry patient names (QIDO-RS): the request log is off, Traefik logs requests without them.
        "--request-logging=false",
        "--auth-logging=true",
        "--standard-logging=true",
    ];
}

/** A response header whose value comes from a claim of the session. */
const claimHeader = (name: string, claim: string) => ({ name, values: [{ claimSource: { claim } }] });

/** The headers Traefik copies from the proxy's answer into the forwarded request (authResponseHeaders). */
export const IDENTITY_HEADERS = ["X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Preferred-Username", "X-Auth-Request-Groups"];
/** The header carrying the edge's own credential for backends that keep their authentication on. */
export const BACKEND_AUTHORIZATION_HEADER = "Authorization";

/**
 * The alpha configuration document (YAML/JSON): the Keycloak provider with the split between the public issuer and
 * the in-cluster endpoints, the static 202 upstream of forwardAuth, the identity and credential headers, the server.
 */
export function renderProxyAlphaConfig(input: ProxySettingsInput): Record<string, unknown> {
    check(input);
    const publicRealm = realmUrl(input.keycloakPublicUrl);
    const internalRealm = `${realmUrl(input.keycloakInternalUrl)}/protocol/openid-connect`;
    const responseHeaders: Record<string, unknown>[] = [
        claimHeader("X-Auth-Request-User", "user"),
        claimHeader("X-Auth-Request-Email", "email"),
        claimHeader("X-Auth-Request-Preferred-Username", "preferred_username"),
        claimHeader("X-Auth-Request-Groups", "groups"),
    ];
    if (input.backendAuthorizationEnv) {
        // A static credential from the environment (a Secret); Traefik passes it only to routes that ask for it.
        responseHeaders.push({ name: BACKEND_AUTHORIZATION_HEADER, values: [{ secretSource: { fromEnv: input.backendAuthorizationEnv } }] });
    }
    return {
        server: { bindAddress: input.listen ?? `0.0.0.0:${PROXY_PORT}` },
        metricsServer: { bindAddress: input.metricsListen ?? `0.0.0.0:${PROXY_METRICS_PORT}` },
        // forwardAuth: a signed-in, authorised request gets 202 and the headers; nothing is proxied anywhere.
        upstreamConfig: { upstreams: [{ id: "forward-auth", path: "/", static: true, staticCode: 202 }] },
        injectRequestHeaders: [],
        injectResponseHeaders: responseHeaders,
        providers: [
            {
                id: "keycloak",
                provider: "keycloak-oidc",
                name: "pacstack",
                clientID: PROXY_CLIENT_ID,
                clientSecretFile: input.clientSecretFile,
                code_challenge_method: "S256",
                scope: "openid profile email",
                // The browser goes to the public URL; everything the proxy calls itself stays inside the cluster.
                loginURL: `${publicRealm}/protocol/openid-connect/auth`,
                redeemURL: `${internalRealm}/token`,
                profileURL: `${internalRealm}/userinfo`,
                validateURL: `${internalRealm}/userinfo`,
                backendLogoutURL: `${internalRealm}/logout?id_token_hint={id_token}`,
                oidcConfig: {
                    // Tokens name the public issuer (Keycloak's --hostname), whichever URL they were fetched from.
                    issuerURL: publicRealm,
                    skipDiscovery: true,
                    jwksURL: `${internalRealm}/certs`,
                    emailClaim: "email",
                    groupsClaim: "groups",
                    userIDClaim: "preferred_username",
                    audienceClaims: ["aud"],
                    extraAudiences: [],
                    // Accounts are made by administrators, who rarely verify addresses; authorisation rests on groups.
                    insecureAllowUnverifiedEmail: true,
                },
            },
        ],
    };
}

/** What an unauthenticated request gets: a page is redirected to Keycloak's login, an API call gets 401. */
export type SignInKind = "page" | "api";

/**
 * The address Traefik's forwardAuth calls for one protection level and kind of route. Pages: the proxy's root,
 * whose answer to a request without a session is a redirect to Keycloak's login page. APIs: its auth endpoint,
 * which answers 401 (never a redirect). Both answer 403 to a session outside the allowed groups and 202, with the
 * identity headers, to everyone else.
 */
export function forwardAuthAddress(serviceUrl: string, protection: ProxyProtection, kind: SignInKind): string {
    const path = kind === "page" ? "/" : `${PROXY_PREFIX}/auth`;
    return `${serviceUrl.replace(/\/+$/, "")}${path}?allowed_groups=${ALLOWED_GROUPS[protection].join(",")}`;
}
