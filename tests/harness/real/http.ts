import { IncomingHttpHeaders, request } from "node:http";

export interface HttpAnswer {
    status: number;
    headers: IncomingHttpHeaders;
    body: Buffer;
}

export interface HttpOptions {
    method?: string;
    /** [user, password] for HTTP Basic authentication. */
    auth?: [string, string];
    headers?: Record<string, string>;
    body?: string | Buffer;
    timeoutMs?: number;
}

export function basicAuthorization(user: string, password: string): string {
    return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** One HTTP request to 127.0.0.1:<port> (no keep-alive, body fully read). */
export function httpRequest(port: number, path: string, options: HttpOptions = {}): Promise<HttpAnswer> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth) headers.Authorization = basicAuthorization(...options.auth);
    return new Promise((done, fail) => {
        const req = request(
            { host: "127.0.0.1", port, path, method: options.method ?? "GET", headers, agent: false, timeout: options.timeoutMs ?? 10_000 },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.once("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
                res.once("error", fail);
            },
        );
        req.once("timeout", () => req.destroy(new Error(`GET ${path}: timed out`)));
        req.once("error", fail);
        req.end(options.body);
    });
}

/** The parts' bodies of a multipart/* answer (RFC 2046), as sent. */
export function multipartParts(body: Buffer, contentType: string | undefined): Buffer[] {
    const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
    if (!match) throw new Error(`not a multipart answer: Content-Type ${contentType}`);
    const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
    const parts: Buffer[] = [];
    let position = body.indexOf(delimiter);
    while (position >= 0) {
        const start = position + delimiter.length;
        if (body.subarray(start, start + 2).toString() === "--") break; // closing delimiter
        const next = body.indexOf(delimiter, start);
        if (next < 0) throw new Error("multipart answer without a closing delimiter");
        const headerEnd = body.indexOf("\r\n\r\n", start);
        if (headerEnd < 0 || headerEnd > next) throw new Error("multipart part without a header block");
        // The CRLF before the next delimiter belongs to the delimiter, not to the content.
        parts.push(body.subarray(headerEnd + 4, next - 2));
        position = next;
    }
    return parts;
}
