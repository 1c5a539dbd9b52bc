import { RouteTable, WebRoute } from "./table";

const API_VERSION = "traefik.io/v1alpha1";
const MiB = 1024 * 1024;

export interface EdgeInput {
    /** Prefix of the Middleware names. */
    name: string;
    namespace: string;
    domain: string;
    webEntryPoint: string;
    tlsSecretName: string;
    uploadLimitMiB: number;
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
        strip: (route: WebRoute) => `${name}-strip-${route.name}`,
        slash: (route: WebRoute) => `${name}-slash-${route.name}`,
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
function uploadLimit(input: EdgeInput): TraefikDoc {
    return {
        apiVersion: API_VERSION,
        kind: "Middleware",
        metadata: { name: middlewareNames(input.name).uploadLimit, namespace: input.namespace },
        spec: { buffering: { maxRequestBodyBytes: input.uploadLimitMiB * MiB, memRequestBodyBytes: 4 * MiB } },
    };
}

export function renderMiddlewares(input: EdgeInput, table: RouteTable): TraefikDoc[] {
    const names = middlewareNames(input.name);
    const docs = [securityHeaders(input), uploadLimit(input)];
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

function pathRule(domain: string, route: WebRoute): string {
    return `Host(\`${domain}\`) && (Path(\`${route.path}\`) || PathPrefix(\`${route.path}/\`))`;
}

/** One HTTPS IngressRoute holding two routers per web route: writes (size-limited) and everything else. */
export function renderIngressRoute(input: EdgeInput, table: RouteTable) {
    const names = middlewareNames(input.name);
    const routes = table.web.flatMap((route) => {
        const strip = route.stripPath ? [{ name: names.slash(route) }, { name: names.strip(route) }] : [];
        const services = [{ kind: "Service", name: route.service.name, port: route.service.port }];
        return [
            {
                kind: "Rule",
                match: `${pathRule(input.domain, route)} && (Method(\`POST\`) || Method(\`PUT\`))`,
                middlewares: [{ name: names.headers }, { name: names.uploadLimit }, ...strip],
                services,
            },
            { kind: "Rule", match: pathRule(input.domain, route), middlewares: [{ name: names.headers }, ...strip], services },
        ];
    });
    return {
        apiVersion: API_VERSION,
        kind: "IngressRoute",
        metadata: { name: `${input.name}-web`, namespace: input.namespace },
        // Without an explicit entrypoint the route would also attach to the raw DICOM entrypoint.
        spec: { entryPoints: [input.webEntryPoint], routes, tls: { secretName: input.tlsSecretName } },
    };
}

/** Raw TCP routes: HostSNI(`*`) because modalities send no SNI; TLS is terminated by the backend. */
export function renderTcpRoutes(input: Pick<EdgeInput, "name" | "namespace">, table: RouteTable) {
    return table.tcp.map((route) => ({
        apiVersion: API_VERSION,
        kind: "IngressRouteTCP",
        metadata: { name: `${input.name}-${route.name}`, namespace: input.namespace },
        spec: {
            entryPoints: [route.entryPoint],
            routes: [{ match: "HostSNI(`*`)", services: [{ name: route.service.name, port: route.service.port }] }],
        },
    }));
}
