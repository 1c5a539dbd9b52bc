/**
 * Clients of the loopback edge, as a browser or script on the Internet would call it: HTTPS to the domain (SNI and
 * Host name it; the address is 127.0.0.1) verifying the certificate against the pacstack CA, plain HTTP for the
 * redirect, and Traefik's JSON access log read back.
 */
import { readFileSync } from "node:fs";
import { IncomingHttpHeaders, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { TLSSocket, connect, ConnectionOptions } from "node:tls";
import { basicAuthorization } from "../real/http";

export interface EdgeAnswer {
    status: number;
    headers: IncomingHttpHeaders;
    body: Buffer;
}

export interface EdgeRequest {
    method?: string;
    auth?: [string, string];
    headers?: Record<string, string | number>;
    body?: Buffer | string;
    timeoutMs?: number;
}

export interface EdgeTarget {
    domain: string;
    httpsPort: number;
    /** PEM of the CA the web certificate must chain to. */
    caPem: string;
}

function collect(resolve: (a: EdgeAnswer) => void, reject: (e: Error) => void) {
    return (res: import("node:http").IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.once("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.once("error", reject);
    };
}

function headersOf(target: { domain: string }, port: number, options: EdgeRequest): Record<string, string | number> {
    const headers: Record<string, string | number> = { Host: `${target.domain}:${port}`, ...options.headers };
    if (options.auth) headers.Authorization = basicAuthorization(...options.auth);
    return headers;
}

/** One HTTPS request to https://<domain>:<port><path>, connecting to 127.0.0.1 and verifying the certificate. */
export function edgeRequest(target: EdgeTarget, path: string, options: EdgeRequest = {}): Promise<EdgeAnswer> {
    return new Promise((resolve, reject) => {
        const req = httpsRequest(
            {
                host: "127.0.0.1",
                port: target.httpsPort,
                servername: target.domain,
                ca: target.caPem,
                path,
                method: options.method ?? "GET",
                headers: headersOf(target, target.httpsPort, options),
                agent: false,
                timeout: options.timeoutMs ?? 30_000,
            },
            collect(resolve, reject),
        );
        req.once("timeout", () => req.destroy(new Error(`${options.method ?? "GET"} ${path}: timed out`)));
        req.once("error", reject);
        req.end(options.body);
    });
}

/** One plain HTTP request to the web entrypoint (which only redirects). */
export function edgeHttpRequest(target: { domain: string }, port: number, path: string): Promise<EdgeAnswer> {
    return new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path, headers: headersOf(target, port, {}), agent: false, timeout: 10_000 }, collect(resolve, reject));
        req.once("error", reject);
        req.end();
    });
}

/** A TLS handshake with the edge; resolves with the negotiated protocol and the peer certificate, or the error. */
export function tlsHandshake(
    target: EdgeTarget,
    options: ConnectionOptions = {},
): Promise<{ protocol?: string; cipher?: string; subjectAltName?: string; serialNumber?: string; error?: string }> {
    return new Promise((resolve) => {
        const socket: TLSSocket = connect({ host: "127.0.0.1", port: target.httpsPort, servername: target.domain, ca: target.caPem, ...options });
        socket.once("secureConnect", () => {
            const peer = socket.getPeerCertificate();
            const result = { protocol: socket.getProtocol() ?? undefined, cipher: socket.getCipher()?.standardName, subjectAltName: peer.subjectaltname, serialNumber: peer.serialNumber };
            socket.end();
            resolve(result);
        });
        socket.once("error", (error) => resolve({ error: error.message }));
        socket.setTimeout(10_000, () => socket.destroy(new Error("handshake timed out")));
    });
}

/** One request as Traefik's access log records it (the JSON fields pacstack's tests read). */
export interface AccessLogEntry {
    RequestMethod: string;
    RequestPath: string;
    DownstreamStatus: number;
    ServiceName?: string;
    /** host:port of the server Traefik forwarded to (an EndpointSlice address of the test: <service>.loopback.test). */
    ServiceAddr?: string;
    /** The URL Traefik forwarded to (scheme, address, path). */
    ServiceURL?: string;
    RouterName?: string;
    ClientUsername?: string;
    [field: string]: unknown;
}

/** The access-log lines of Traefik's log so far (its own log lines, also JSON, have no RequestPath). */
export function readAccessLog(logFile: string): AccessLogEntry[] {
    return readFileSync(logFile, "utf8")
        .split("\n")
        .filter((line) => line.startsWith("{") && line.includes('"RequestPath"'))
        .map((line) => JSON.parse(line) as AccessLogEntry);
}

/** The pacstack Service a request went to, from the endpoint address Traefik forwarded it to. */
export function backendOf(entry: AccessLogEntry | undefined): string | undefined {
    return /^([a-z0-9-]+)\.loopback\.test:[0-9]+$/.exec(entry?.ServiceAddr ?? "")?.[1];
}
