import { createServer } from "node:http";
import { createServer as createTlsServer } from "node:https";
import { AddressInfo } from "node:net";
import { KeyPair } from "../real/pki";

/**
 * A backend for a Service whose software cannot run here (dcm4chee's Wildfly): a loopback server that answers
 * every request with 200 and the Service's name, so a test can tell which Service Traefik sent a request to; over
 * HTTPS with `tls`, where the Service's real backend serves HTTPS. It stands for the backend only; the edge in
 * front of it is the real Traefik.
 */
export async function startIdentityBackend(service: string, tls?: KeyPair): Promise<{ port: number; close(): Promise<void> }> {
    const answer = (request: import("node:http").IncomingMessage, response: import("node:http").ServerResponse) => {
        request.resume();
        request.once("end", () => response.writeHead(200, { "Content-Type": "text/plain", "X-Pacstack-Test-Service": service }).end(service));
    };
    const server = tls ? createTlsServer({ cert: tls.certPem, key: tls.keyPem }, answer) : createServer(answer);
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    return {
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))),
    };
}
