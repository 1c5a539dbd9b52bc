/**
 * A local stand-in for Traefik that runs the rendered IngressRoute and Middlewares (renderIngressRoute /
 * renderMiddlewares of components/routes) on loopback: the same routers, priorities, middleware chains (headers,
 * basicAuth with removeHeader, buffering, redirectRegex, stripPrefix) and Services, with each Service name mapped to
 * a loopback port. The basicAuth users Secret holds a bcrypt hash in the cluster; here the proxy is given the
 * plain credentials it stands for.
 */
import { IncomingMessage, Server, ServerResponse, createServer, request as httpRequest } from "node:http";
import { AddressInfo } from "node:net";
import { IngressRouteRule, TraefikDoc } from "../../../components/routes/traefik-resources";
import { evaluate, parseRule, rulePriority } from "./traefik-rules";

export interface EdgeOptions {
    routes: IngressRouteRule[];
    middlewares: TraefikDoc[];
    /** Service name → loopback port. */
    upstreams: Record<string, number>;
    /** The users the basicAuth Secret holds, as user → password. */
    users: Record<string, string>;
}

export interface EdgeProxy {
    port: number;
    /** Requests seen: path, router's service, status. */
    log: { method: string; path: string; status: number; service?: string }[];
    close(): Promise<void>;
}

/** Response headers of a Traefik `headers` middleware (the fields pacstack renders). */
export function headersOf(spec: Record<string, any>): Record<string, string> {
    const headers: Record<string, string> = {};
    if (spec.contentTypeNosniff) headers["X-Content-Type-Options"] = "nosniff";
    if (spec.customFrameOptionsValue) headers["X-Frame-Options"] = spec.customFrameOptionsValue;
    if (spec.referrerPolicy) headers["Referrer-Policy"] = spec.referrerPolicy;
    if (spec.permissionsPolicy) headers["Permissions-Policy"] = spec.permissionsPolicy;
    if (spec.contentSecurityPolicy) headers["Content-Security-Policy"] = spec.contentSecurityPolicy;
    if (spec.forceSTSHeader && spec.stsSeconds) headers["Strict-Transport-Security"] = `max-age=${spec.stsSeconds}${spec.stsIncludeSubdomains ? "; includeSubDomains" : ""}`;
    Object.assign(headers, spec.customResponseHeaders ?? {});
    return headers;
}

const SUPPORTED = new Set(["headers", "basicAuth", "buffering", "redirectRegex", "stripPrefix"]);

export async function startEdgeProxy(options: EdgeOptions): Promise<EdgeProxy> {
    const middlewares = new Map(options.middlewares.map((m) => [m.metadata.name, m.spec as Record<string, any>]));
    for (const [name, spec] of middlewares) {
        const kinds = Object.keys(spec);
        if (kinds.length !== 1 || !SUPPORTED.has(kinds[0])) throw new Error(`middleware ${name}: ${kinds.join(",")} is not supported by the test edge`);
    }
    const routers = options.routes
        .map((router) => ({ router, rule: parseRule(router.match) }))
        .sort((a, b) => rulePriority(b.router) - rulePriority(a.router));
    const log: EdgeProxy["log"] = [];

    const handle = (req: IncomingMessage, res: ServerResponse) => {
        const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
        const facts = { host: req.headers.host ?? "", path: url.pathname, method: req.method ?? "GET" };
        const found = routers.find((r) => evaluate(r.rule, facts));
        const entry: EdgeProxy["log"][number] = { method: facts.method, path: url.pathname + url.search, status: 0 };
        log.push(entry);
        res.on("finish", () => (entry.status = res.statusCode));
        if (!found) {
            res.writeHead(404).end("404 page not found\n");
            return;
        }
        let path = url.pathname;
        for (const { name } of found.router.middlewares) {
            const spec = middlewares.get(name);
            if (!spec) throw new Error(`router ${found.router.match} names the unknown middleware ${name}`);
            if (spec.headers) {
                for (const [header, value] of Object.entries(headersOf(spec.headers))) res.setHeader(header, value);
            } else if (spec.basicAuth) {
                const [scheme, token] = (req.headers.authorization ?? "").split(" ");
                const [user, ...rest] = scheme === "Basic" && token ? Buffer.from(token, "base64").toString().split(":") : [""];
                if (!user || options.users[user] === undefined || options.users[user] !== rest.join(":")) {
                    res.writeHead(401, { "Content-Type": "text/plain", "WWW-Authenticate": `Basic realm="${spec.basicAuth.realm}"` }).end("401 Unauthorized\n");
                    return;
                }
                if (spec.basicAuth.removeHeader) delete req.headers.authorization;
            } else if (spec.buffering) {
                if (Number(req.headers["content-length"] ?? 0) > spec.buffering.maxRequestBodyBytes) {
                    res.writeHead(413).end("413 Request Entity Too Large\n");
                    return;
                }
            } else if (spec.redirectRegex) {
                const full = `http://${req.headers.host}${path}${url.search}`;
                const regex = new RegExp(spec.redirectRegex.regex);
                if (regex.test(full)) {
                    const location = full.replace(regex, spec.redirectRegex.replacement.replace(/\$\{(\d+)\}/g, "$$$1"));
                    res.writeHead(spec.redirectRegex.permanent ? 301 : 302, { Location: location }).end();
                    return;
                }
            } else if (spec.stripPrefix) {
                const prefix = (spec.stripPrefix.prefixes as string[]).find((p) => path.startsWith(p));
                if (prefix) path = path.slice(prefix.length) || "/";
            }
        }
        const service = found.router.services[0];
        entry.service = service.name;
        const port = options.upstreams[service.name];
        if (!port) throw new Error(`no loopback upstream for Service ${service.name}`);
        const upstream = httpRequest(
            {
                host: "127.0.0.1",
                port,
                method: req.method,
                path: path + url.search,
                headers: { ...req.headers, "x-forwarded-host": req.headers.host, "x-forwarded-proto": "http", "x-forwarded-for": "127.0.0.1" },
            },
            (answer) => {
                // The middlewares' headers win over the backend's (Traefik sets them on the response).
                const headers = { ...answer.headers };
                for (const name of res.getHeaderNames()) delete headers[name];
                res.writeHead(answer.statusCode ?? 502, headers);
                answer.pipe(res);
            },
        );
        upstream.on("error", (error) => {
            if (!res.headersSent) res.writeHead(502);
            res.end(`502 ${error.message}\n`);
        });
        req.pipe(upstream);
    };

    const server: Server = createServer((req, res) => {
        try {
            handle(req, res);
        } catch (error) {
            res.writeHead(500).end(String(error));
        }
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    return {
        port: (server.address() as AddressInfo).port,
        log,
        close: () =>
            new Promise<void>((done) => {
                server.closeAllConnections();
                server.close(() => done());
            }),
    };
}
