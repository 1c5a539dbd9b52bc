import { createServer } from "node:http";
import { AddressInfo } from "node:net";

/**
 * A backend for a Service whose software cannot run here (dcm4chee's Wildfly): a loopback HTTP server that answers
 * every request with 200 and the Service's name, so a test can tell which Service Traefik sent a request to. It
 * stands for the backend only; the edge in front of it is the real Traefik.
 */
export async function startIdentityBackend(service: string): Promise<{ port: number; close(): Promise<void> }> {
    const server = createServer((request, response) => {
        request.resume();
        request.once("end", () => response.writeHead(200, { "Content-Type": "text/plain", "X-Pacstack-Test-Service": service }).end(service));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    return {
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))),
    };
}
