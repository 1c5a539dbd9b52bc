/**
 * Raw DICOM clients for the port-abuse tests: connections that hold a listener's resources the way a stranger (or a
 * stuck modality) would, opened from a chosen loopback address (127.0.0.x) so per-address limits can be observed.
 */
import { readFileSync } from "node:fs";
import { connect, Socket } from "node:net";
import { connect as tlsConnect, TLSSocket } from "node:tls";

const APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
const VERIFICATION_SOP_CLASS = "1.2.840.10008.1.1";
const IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
const IMPLEMENTATION_CLASS_UID = "1.2.826.0.1.3680043.10.1341.1";

function item(type: number, body: Buffer): Buffer {
    const header = Buffer.alloc(4);
    header.writeUInt8(type, 0);
    header.writeUInt16BE(body.length, 2);
    return Buffer.concat([header, body]);
}

const uid = (value: string) => Buffer.from(value, "latin1");
const aeTitle = (value: string) => Buffer.from(value.padEnd(16, " ").slice(0, 16), "latin1");

/** An A-ASSOCIATE-RQ proposing Verification (C-ECHO) in implicit VR little endian (PS3.8 9.3.2). */
export function associateRequest(calledAe: string, callingAe: string): Buffer {
    const maxLength = Buffer.alloc(4);
    maxLength.writeUInt32BE(16384);
    const body = Buffer.concat([
        Buffer.from([0x00, 0x01, 0x00, 0x00]), // protocol version 1, reserved
        aeTitle(calledAe),
        aeTitle(callingAe),
        Buffer.alloc(32),
        item(0x10, uid(APPLICATION_CONTEXT)),
        item(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, uid(VERIFICATION_SOP_CLASS)), item(0x40, uid(IMPLICIT_VR_LITTLE_ENDIAN))])),
        item(0x50, Buffer.concat([item(0x51, maxLength), item(0x52, uid(IMPLEMENTATION_CLASS_UID))])),
    ]);
    const header = Buffer.alloc(6);
    header.writeUInt8(0x01, 0);
    header.writeUInt32BE(body.length, 2);
    return Buffer.concat([header, body]);
}

export interface ClientTls {
    cert?: string;
    key?: string;
    ca: string;
}

/** Resolves when the socket closes (by either side), with how long it stayed open. */
export function closed(socket: Socket): Promise<number> {
    const opened = Date.now();
    return new Promise((resolve) => {
        if (socket.destroyed) resolve(0);
        socket.once("close", () => resolve(Date.now() - opened));
    });
}

/** A TCP connection from `localAddress` that then sends `bytes` (maybe none) and nothing more. */
export async function openRawConnection(port: number, localAddress: string, bytes: Buffer = Buffer.alloc(0)): Promise<Socket> {
    const socket = connect({ port, host: "127.0.0.1", localAddress });
    socket.on("error", () => undefined);
    await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("error", reject);
    });
    if (bytes.length > 0) socket.write(bytes);
    return socket;
}

/** The first flight of a TLS client (its ClientHello), as a client with these settings sends it. */
export async function clientHelloBytes(): Promise<Buffer> {
    const { createServer } = await import("node:net");
    return new Promise((resolve, reject) => {
        const server = createServer((socket) =>
            socket.once("data", (data: Buffer) => {
                resolve(data);
                socket.destroy();
                server.close();
            }),
        );
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as { port: number };
            tlsConnect({ port, host: "127.0.0.1", rejectUnauthorized: false }).on("error", () => undefined);
        });
    });
}

/** Outcome of a DICOM-TLS association attempt that is then left open and idle. */
export type HeldAssociation = { accepted: true; socket: TLSSocket } | { accepted: false; error: string };

/**
 * A DICOM-TLS connection from `localAddress` that negotiates an association (A-ASSOCIATE-AC) and then stays idle:
 * it holds one of the archive's association threads, not its listener. Fails (accepted: false) when the TLS
 * handshake or the association does not complete within `timeoutMs`.
 */
export function holdAssociation(options: { port: number; localAddress: string; calledAe: string; callingAe?: string; tls: ClientTls; timeoutMs?: number }): Promise<HeldAssociation> {
    return new Promise((resolve) => {
        const tcp = connect({ port: options.port, host: "127.0.0.1", localAddress: options.localAddress });
        tcp.on("error", () => undefined);
        const socket = tlsConnect({
            socket: tcp,
            ca: readFileSync(options.tls.ca),
            ...(options.tls.cert && options.tls.key ? { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) } : {}),
            checkServerIdentity: () => undefined, // modalities send no SNI and check the chain only
        });
        const fail = (error: string) => {
            socket.destroy();
            tcp.destroy();
            resolve({ accepted: false, error });
        };
        const timer = setTimeout(() => fail("timed out"), options.timeoutMs ?? 10_000);
        socket.once("error", (error) => (clearTimeout(timer), fail(error.message)));
        socket.once("close", () => (clearTimeout(timer), fail("closed by the server")));
        socket.once("secureConnect", () => socket.write(associateRequest(options.calledAe, options.callingAe ?? "PACSTACKTEST")));
        socket.once("data", (pdu: Buffer) => {
            clearTimeout(timer);
            socket.removeAllListeners("close");
            socket.removeAllListeners("error");
            socket.on("error", () => undefined);
            if (pdu[0] === 0x02) resolve({ accepted: true, socket });
            else fail(`PDU type 0x${pdu[0].toString(16)} instead of A-ASSOCIATE-AC`);
        });
    });
}
