import * as pulumi from "@pulumi/pulumi";
import { EdgeLogin, REDIRECT_CHECK, pagePathRule, renderSsoMiddlewares, routeChecks, ssoMiddlewares } from "./sign-in";
import { Redirect, RouteService, RouteTable, WebRoute } from "./table";

const API_VERSION = "traefik.io/v1alpha1";
const MiB = 1024 * 1024;

export interface EdgeInput {
    /** Prefix of the Middleware names. */
    name: string;
    namespace: string;
    domain: string;
    webEntryPoint: string;
    tlsSecretName: pulumi.Input<string>;
    uploadLimitMiB: number;
    /** How routers ask for a login: the web user (basicAuth from a Secret) or single sign-on (forwardAuth). */
    login: EdgeLogin;
    /** Limits of the raw TCP (DICOM-TLS, HL7-TLS) routes. */
    tcp: TcpLimits;
}

/**
 * Connections one client address may hold on a TCP route unless configured otherwise: above a modality's usual
 * parallel associations (storescu and most modalities use one to four), far below what exhausts the archive.
 */
export const DEFAULT_TCP_CONNECTIONS_PER_SOURCE = 16;

export interface TcpLimits {
    /** Connections one client address may hold open on each TCP route (InFlightConn). */
    connectionsPerSource: number;
    /** Client CIDRs the TCP routes admit (IPAllowList); empty admits every address that reaches Traefik. */
    sourceRanges: string[];
}

/** A Traefik custom resource as pacstack renders it. */
export interface TraefikDoc {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string };
    spec: Record<string, unknown>;
}

export function middlewareNames(name: string) {
    return {
        headers: `${name}-security-headers`,
        uploadLimit: `${name}-upload-limit`,
        /** A route whose published upload limit differs from the edge's. */
        routeUploadLimit: (route: WebRoute) => `${name}-upload-limit-${route.name}`,
        strip: (route: WebRoute) => `${name}-strip-${route.name}`,
        slash: (route: WebRoute) => `${name}-slash-${route.name}`,
        /** basicAuth that removes the Authorization header / forwards it to the backend. */
        auth: `${name}-web-auth`,
        authForward: `${name}-web-auth-forward`,
        routeHeaders: (route: WebRoute) => `${name}-headers-${route.name}`,
        redirect: (redirect: Redirect) => `${name}-redirect-${redirect.name}`,
        /** How the edge reaches one HTTPS backend Service. */
        serversTransport: (service: string) => `${name}-to-${service}`,
        /** MiddlewareTCPs of every raw TCP route. */
        tcpConnectionLimit: `${name}-tcp-connections-per-source`,
        tcpAllowList: `${name}-tcp-source-ranges`,
    };
}

/** With the basic-auth login every router asks for the web user: the realm the browser shows. */
export const AUTH_REALM = "pacstack";

function basicAuth(input: EdgeInput, secretName: string, name: string, removeHeader: boolean): TraefikDoc {
    return {
        apiVersion: API_VERSION,
        kind: "Middleware",
        metadata: { name, namespace: input.namespace },
        // The users come from a Secret, so no credential or hash is part of the Middleware.
        spec: { basicAuth: { realm: AUTH_REALM, removeHeader, secret: secretName } },
    };
}

/** HSTS and browser hardening headers on every HTTPS answer. */
function securityHeaders(input: EdgeInput): TraefikDoc {
    return {
        apiVersion: API_VERSION,
        kind: "Middleware",
        metadata: { name: middlewareNames(input.name).headers, namespace: input.namespace },
        spec: {
            headers: {
                contentTypeNosniff: true,
                customFrameOptionsValue: "SAMEORIGIN",
                forceSTSHeader: true,
                permissionsPolicy: "camera=(), microphone=(), geolocation=(), payment=()",
                referrerPolicy: "same-origin",
                stsIncludeSubdomains: true,
                stsSeconds: 31536000,
            },
        },
    };
}

/**
 * Body size limit for uploads (STOW-RS, POST /instances). Only write requests go through it: the buffering
 * middleware also holds answers until complete, which would stall large WADO-RS downloads.
 */
function uploadLimit(input: EdgeInput, name: string, limitMiB: number): TraefikDoc {
    return {
        apiVersion: API_VERSION,
        kind: "Middleware",
        metadata: { name, namespace: input.namespace },
        spec: { buffering: { maxRequestBodyBytes: limitMiB * MiB, memRequestBodyBytes: 4 * MiB } },
    };
}

/** A route's own upload limit, when it publishes one that differs from the edge's. */
function ownUploadLimit(input: EdgeInput, route: WebRoute): number | undefined {
    return route.uploadLimitMiB !== undefined && route.uploadLimitMiB !== input.uploadLimitMiB ? route.uploadLimitMiB : undefined;
}

export function renderMiddlewares(input: EdgeInput, table: RouteTable): TraefikDoc[] {
    const names = middlewareNames(input.name);
    const docs = [securityHeaders(input), uploadLimit(input, names.uploadLimit, input.uploadLimitMiB)];
    for (const route of table.web) {
        const limit = ownUploadLimit(input, route);
        if (limit !== undefined) {
            docs.push(uploadLimit(input, names.routeUploadLimit(route), limit));
        }
    }
    if (input.login.kind === "sso") {
        docs.push(...renderSsoMiddlewares(input.name, input.namespace, input.login.proxyUrl, table));
    } else if (table.web.some((route) => route.authentication !== "none")) {
        docs.push(basicAuth(input, input.login.secretName, names.auth, true), basicAuth(input, input.login.secretName, names.authForward, false));
    }
    for (const route of table.web.filter((r) => r.responseHeaders)) {
        docs.push({
            apiVersion: API_VERSION,
            kind: "Middleware",
            metadata: { name: names.routeHeaders(route), namespace: input.namespace },
            spec: { headers: { contentSecurityPolicy: route.responseHeaders!.contentSecurityPolicy, customResponseHeaders: route.responseHeaders!.custom } },
        });
    }
    for (const redirect of table.redirects) {
        docs.push({
            apiVersion: API_VERSION,
            kind: "Middleware",
            metadata: { name: names.redirect(redirect), namespace: input.namespace },
            spec: { redirectRegex: { permanent: true, regex: `^(https?://[^/]+)${escapeRegex(redirect.from)}$`, replacement: `\${1}${redirect.to}` } },
        });
    }
    for (const route of table.web.filter((r) => r.stripPath)) {
        docs.push({
            apiVersion: API_VERSION,
            kind: "Middleware",
            metadata: { name: names.strip(route), namespace: input.namespace },
            spec: { stripPrefix: { prefixes: [route.path] } },
        });
        // "/orthanc" → "/orthanc/", so that the backend's relative links resolve under the prefix.
        docs.push({
            apiVersion: API_VERSION,
            kind: "Middleware",
            metadata: { name: names.slash(route), namespace: input.namespace },
            spec: { redirectRegex: { permanent: true, regex: `^(https?://[^/]+${route.path})$`, replacement: "${1}/" } },
        });
    }
    return docs;
}

function escapeRegex(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function pathRule(domain: string, route: WebRoute): string {
    if (route.path === "/") {
        return `Host(\`${domain}\`) && PathPrefix(\`/\`)`;
    }
    return `Host(\`${domain}\`) && (Path(\`${route.path}\`) || PathPrefix(\`${route.path}/\`))`;
}

/** One router of the HTTPS IngressRoute. */
export interface IngressRouteRule {
    kind: "Rule";
    match: string;
    middlewares: { name: string }[];
    priority?: number;
    services: IngressRouteService[];
}

/** A router's target; an HTTPS backend names the ServersTransport that verifies it. */
export interface IngressRouteService {
    kind: "Service";
    name: string;
    port: number;
    scheme?: "https";
    serversTransport?: string;
}

function ingressRouteService(input: Pick<EdgeInput, "name">, service: RouteService): IngressRouteService {
    const base = { kind: "Service" as const, name: service.name, port: service.port };
    return service.tls ? { ...base, scheme: "https", serversTransport: middlewareNames(input.name).serversTransport(service.name) } : base;
}

/**
 * One ServersTransport per HTTPS backend: Traefik sends the backend's Service name (SNI) and accepts only a
 * certificate for that name issued by the CA in the backend's Secret, never the system's roots.
 */
export function renderServersTransports(input: Pick<EdgeInput, "name" | "namespace">, table: RouteTable): TraefikDoc[] {
    const byName = new Map<string, RouteService>();
    for (const service of [...table.web.map((r) => r.service), ...table.redirects.map((r) => r.service)]) {
        if (!service.tls) continue;
        const known = byName.get(service.name);
        if (known && JSON.stringify(known.tls) !== JSON.stringify(service.tls)) {
            throw new Error(`Service ${service.name} is published with two different TLS settings`);
        }
        byName.set(service.name, service);
    }
    return [...byName.values()]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((service) => ({
            apiVersion: API_VERSION,
            kind: "ServersTransport",
            metadata: { name: middlewareNames(input.name).serversTransport(service.name), namespace: input.namespace },
            spec: { insecureSkipVerify: false, rootCAs: [{ secret: service.tls!.caSecretName }], serverName: service.tls!.serverName },
        }));
}

/** The catch-all ("/") must lose against every other route, whatever the rules' lengths. */
const CATCH_ALL_PRIORITY = 1;

/** One HTTPS IngressRoute holding two routers per web route: writes (size-limited) and everything else. */
export function renderIngressRoute(input: EdgeInput, table: RouteTable) {
    const names = middlewareNames(input.name);
    const routes: IngressRouteRule[] = table.web.flatMap((route): IngressRouteRule[] => {
        const strip = route.stripPath ? [{ name: names.slash(route) }, { name: names.strip(route) }] : [];
        const services = [ingressRouteService(input, route.service)];
        const sso = input.login.kind === "sso" ? routeChecks(route) : undefined;
        // Headers first, so that a 401 carries them too; then the credentials check.
        const auth = sso
            ? ssoMiddlewares(input.name, sso.main)
            : { none: [], edge: [{ name: names.auth }], "edge-and-backend": [{ name: names.authForward }] }[route.authentication];
        const headers = [{ name: names.headers }, ...(route.responseHeaders ? [{ name: names.routeHeaders(route) }] : [])];
        const before = [...headers, ...auth];
        const limit = ownUploadLimit(input, route) === undefined ? names.uploadLimit : names.routeUploadLimit(route);
        // The catch-all's routers: writes above reads (as their longer rules are elsewhere), both below every other.
        const catchAll = route.path === "/";
        // An API route's page sub-paths (an administration UI beside its REST API) redirect to the sign-in page.
        const pages: IngressRouteRule[] = sso?.pages
            ? [{ kind: "Rule", match: pagePathRule(input.domain, route), middlewares: [...headers, ...ssoMiddlewares(input.name, sso.pages), ...strip], services }]
            : [];
        return [
            ...pages,
            {
                kind: "Rule" as const,
                match: `${pathRule(input.domain, route)} && (Method(\`POST\`) || Method(\`PUT\`))`,
                middlewares: [...before, { name: limit }, ...strip],
                ...(catchAll ? { priority: CATCH_ALL_PRIORITY + 1 } : {}),
                services,
            },
            {
                kind: "Rule" as const,
                match: pathRule(input.domain, route),
                middlewares: [...before, ...strip],
                ...(catchAll ? { priority: CATCH_ALL_PRIORITY } : {}),
                services,
            },
        ];
    });
    for (const redirect of table.redirects) {
        routes.push({
            kind: "Rule" as const,
            match: `Host(\`${input.domain}\`) && Path(\`${redirect.from}\`)`,
            middlewares: [{ name: names.headers }, ...(input.login.kind === "sso" ? ssoMiddlewares(input.name, REDIRECT_CHECK) : [{ name: names.auth }]), { name: names.redirect(redirect) }],
            services: [ingressRouteService(input, redirect.service)],
        });
    }
    return {
        apiVersion: API_VERSION,
        kind: "IngressRoute",
        metadata: { name: `${input.name}-web`, namespace: input.namespace },
        // Without an explicit entrypoint the route would also attach to the raw DICOM entrypoint.
        spec: { entryPoints: [input.webEntryPoint], routes, tls: { secretName: input.tlsSecretName } },
    };
}

/**
 * Raw TCP routes: TLS passthrough, so Traefik reads each client's ClientHello (within the entrypoint's read timeout)
 * before it opens a connection to the backend, and TLS is still terminated by the backend. HostSNI(`*`) because
 * modalities send no SNI. Each route caps the connections of one client address and, when configured, admits only
 * the modalities' networks.
 */
export function renderTcpRoutes(input: Pick<EdgeInput, "name" | "namespace" | "tcp">, table: RouteTable) {
    const names = middlewareNames(input.name);
    const middlewares = [names.tcpConnectionLimit, ...(input.tcp.sourceRanges.length > 0 ? [names.tcpAllowList] : [])].map((name) => ({ name }));
    return table.tcp.map((route) => ({
        apiVersion: API_VERSION,
        kind: "IngressRouteTCP",
        metadata: { name: `${input.name}-${route.name}`, namespace: input.namespace },
        spec: {
            entryPoints: [route.entryPoint],
            routes: [{ match: "HostSNI(`*`)", middlewares, services: [{ name: route.service.name, port: route.service.port }] }],
            tls: { passthrough: true },
        },
    }));
}

/** The MiddlewareTCPs the TCP routes name (none without TCP routes). */
export function renderTcpMiddlewares(input: Pick<EdgeInput, "name" | "namespace" | "tcp">, table: RouteTable): TraefikDoc[] {
    if (table.tcp.length === 0) return [];
    const names = middlewareNames(input.name);
    const doc = (name: string, spec: Record<string, unknown>): TraefikDoc => ({ apiVersion: API_VERSION, kind: "MiddlewareTCP", metadata: { name, namespace: input.namespace }, spec });
    return [
        doc(names.tcpConnectionLimit, { inFlightConn: { amount: input.tcp.connectionsPerSource } }),
        ...(input.tcp.sourceRanges.length > 0 ? [doc(names.tcpAllowList, { ipAllowList: { sourceRange: input.tcp.sourceRanges } })] : []),
    ];
}
