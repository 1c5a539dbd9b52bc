/**
 * Serves an OHIF dist/ the way the ohif/app image's nginx does (try_files $uri $uri/ ${PUBLIC_URL}index.html), with
 * app-config.js replaced by the rendered one. Loopback only.
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { Server, createServer } from "node:http";
import { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".map": "application/json",
};

export async function startStaticViewer(dist: string, appConfig: string): Promise<{ port: number; close(): Promise<void> }> {
    const server: Server = createServer((req, res) => {
        const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
        if (path === "/app-config.js") {
            res.writeHead(200, { "Content-Type": TYPES[".js"], "Cache-Control": "no-cache" }).end(appConfig);
            return;
        }
        let file = normalize(join(dist, path));
        if (!file.startsWith(dist) || !existsSync(file) || statSync(file).isDirectory()) {
            file = existsSync(join(file, "index.html")) && file.startsWith(dist) ? join(file, "index.html") : join(dist, "index.html");
        }
        res.writeHead(200, { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" });
        createReadStream(file).pipe(res);
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    return {
        port: (server.address() as AddressInfo).port,
        close: () =>
            new Promise<void>((done) => {
                server.closeAllConnections();
                server.close(() => done());
            }),
    };
}
