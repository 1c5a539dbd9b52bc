import { readFileSync } from "node:fs";
import { connect, TLSSocket } from "node:tls";

/**
 * A raw C-STORE sender over DICOM TLS (PS3.8 upper layer, PS3.7 command set), written for the hostile corpus: dcmtk's
 * storescu parses a file before sending it and refuses (or repairs) most malformed ones, while a hostile peer
 * sends whatever bytes it likes. This sends the data set bytes exactly as given under the proposed transfer syntax.
 */

export interface RawStore {
    port: number;
    calledAe: string;
    callingAe: string;
    tls: { cert: string; key: string; ca: string };
    sopClass: string;
    sopUid: string;
    transferSyntax: string;
    dataset: Buffer;
    timeoutMs?: number;
}

/** How a raw C-STORE ended: the status of the C-STORE response, or what happened instead. */
export type RawStoreOutcome =
    | { kind: "status"; status: number }
    | { kind: "rejected"; reason: string }
    | { kind: "aborted" }
    /** The association was released without a C-STORE response. */
    | { kind: "released" }
    | { kind: "closed" }
    | { kind: "timeout" }
    | { kind: "error"; message: string };

const APPLICATION_CONTEXT = "1.2.840.10008.3.1.1.1";
const IMPLEMENTATION_CLASS = "1.2.826.0.1.3680043.10.1455.2";
const MAX_PDU = 16384;

function subItem(type: number, body: Buffer): Buffer {
    const head = Buffer.alloc(4);
    head.writeUInt8(type, 0);
    head.writeUInt16BE(body.length, 2);
    return Buffer.concat([head, body]);
}

function pdu(type: number, body: Buffer): Buffer {
    const head = Buffer.alloc(6);
    head.writeUInt8(type, 0);
    head.writeUInt32BE(body.length, 2);
    return Buffer.concat([head, body]);
}

const ae = (title: string) => Buffer.from(title.padEnd(16, " ").slice(0, 16), "latin1");
const ascii = (uid: string) => Buffer.from(uid, "latin1");

function associateRequest(r: RawStore): Buffer {
    const fixed = Buffer.alloc(68);
    fixed.writeUInt16BE(1, 0);
    ae(r.calledAe).copy(fixed, 4);
    ae(r.callingAe).copy(fixed, 20);
    const context = subItem(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), subItem(0x30, ascii(r.sopClass)), subItem(0x40, ascii(r.transferSyntax))]));
    const maxLength = Buffer.alloc(4);
    maxLength.writeUInt32BE(MAX_PDU, 0);
    const user = subItem(0x50, Buffer.concat([subItem(0x51, maxLength), subItem(0x52, ascii(IMPLEMENTATION_CLASS))]));
    return pdu(0x01, Buffer.concat([fixed, subItem(0x10, ascii(APPLICATION_CONTEXT)), context, user]));
}

/** An Implicit VR Little Endian command element. */
function command(element: number, value: Buffer): Buffer {
    const head = Buffer.alloc(8);
    head.writeUInt16LE(0x0000, 0);
    head.writeUInt16LE(element, 2);
    head.writeUInt32LE(value.length, 4);
    return Buffer.concat([head, value]);
}
const us = (n: number) => Buffer.from(Uint16Array.of(n).buffer);
const ui = (uid: string) => ascii(uid.length % 2 ? `${uid}\0` : uid);

function storeCommand(r: RawStore): Buffer {
    const body = Buffer.concat([
        command(0x0002, ui(r.sopClass)),
        command(0x0100, us(0x0001)),
        command(0x0110, us(1)),
        command(0x0700, us(0)),
        command(0x0800, us(0x0000)),
        command(0x1000, ui(r.sopUid)),
    ]);
    return Buffer.concat([command(0x0000, Buffer.from(Uint32Array.of(body.length).buffer)), body]);
}

/** P-DATA-TF PDUs carrying `data` in fragments that fit the peer's maximum PDU length. */
function pData(contextId: number, data: Buffer, isCommand: boolean, maxPdu: number): Buffer[] {
    const room = Math.max(64, (maxPdu || MAX_PDU) - 6);
    const out: Buffer[] = [];
    for (let offset = 0; offset < data.length || offset === 0; offset += room) {
        const fragment = data.subarray(offset, offset + room);
        const last = offset + room >= data.length;
        const head = Buffer.alloc(6);
        head.writeUInt32BE(fragment.length + 2, 0);
        head.writeUInt8(contextId, 4);
        head.writeUInt8((isCommand ? 1 : 0) | (last ? 2 : 0), 5);
        out.push(pdu(0x04, Buffer.concat([head, fragment])));
        if (data.length === 0) break;
    }
    return out;
}

/** The accepted presentation context and the peer's maximum PDU length from an A-ASSOCIATE-AC body. */
function parseAccept(body: Buffer): { contextId?: number; maxPdu: number } {
    let contextId: number | undefined;
    let maxPdu = 0;
    for (let at = 68; at + 4 <= body.length; ) {
        const type = body[at];
        const length = body.readUInt16BE(at + 2);
        const value = body.subarray(at + 4, at + 4 + length);
        if (type === 0x21 && value[2] === 0) contextId = value[0];
        if (type === 0x50) for (let u = 0; u + 4 <= value.length; u += 4 + value.readUInt16BE(u + 2)) if (value[u] === 0x51) maxPdu = value.readUInt32BE(u + 4);
        at += 4 + length;
    }
    return { contextId, maxPdu };
}

/** The Status (0000,0900) of an Implicit VR Little Endian command set. */
function commandStatus(set: Buffer): number | undefined {
    for (let at = 0; at + 8 <= set.length; at += 8 + set.readUInt32LE(at + 4)) {
        if (set.readUInt16LE(at) === 0 && set.readUInt16LE(at + 2) === 0x0900) return set.readUInt16LE(at + 8);
    }
    return undefined;
}

export function rawStore(r: RawStore): Promise<RawStoreOutcome> {
    return new Promise((done) => {
        let finished = false;
        let buffer = Buffer.alloc(0);
        let responseCommand = Buffer.alloc(0);
        const socket: TLSSocket = connect({
            host: "127.0.0.1",
            port: r.port,
            cert: readFileSync(r.tls.cert),
            key: readFileSync(r.tls.key),
            ca: readFileSync(r.tls.ca),
            checkServerIdentity: () => undefined,
        });
        const finish = (outcome: RawStoreOutcome) => {
            if (finished) return;
            finished = true;
            clearTimeout(timer);
            socket.destroy();
            done(outcome);
        };
        const timer = setTimeout(() => finish({ kind: "timeout" }), r.timeoutMs ?? 15_000);
        socket.once("secureConnect", () => socket.write(associateRequest(r)));
        socket.on("error", (e) => finish({ kind: "error", message: e.message }));
        socket.on("close", () => finish({ kind: "closed" }));
        socket.on("data", (chunk: Buffer) => {
            buffer = Buffer.concat([buffer, chunk]);
            while (buffer.length >= 6 && buffer.length >= 6 + buffer.readUInt32BE(2)) {
                const type = buffer[0];
                const body = buffer.subarray(6, 6 + buffer.readUInt32BE(2));
                buffer = buffer.subarray(6 + body.length);
                if (type === 0x02) {
                    const { contextId, maxPdu } = parseAccept(body);
                    if (contextId === undefined) return finish({ kind: "rejected", reason: "presentation context refused" });
                    for (const p of [...pData(contextId, storeCommand(r), true, maxPdu), ...pData(contextId, r.dataset, false, maxPdu)]) socket.write(p);
                    // The release right behind the data: a receiver that parsed a complete data set answers the
                    // C-STORE first; one whose parser still wants bytes meets the release instead of waiting.
                    socket.write(pdu(0x05, Buffer.alloc(4)));
                } else if (type === 0x03) return finish({ kind: "rejected", reason: `A-ASSOCIATE-RJ ${body.toString("hex")}` });
                else if (type === 0x07) return finish({ kind: "aborted" });
                else if (type === 0x06) return finish({ kind: "released" });
                else if (type === 0x04) {
                    for (let at = 0; at + 6 <= body.length; at += 4 + body.readUInt32BE(at)) {
                        const header = body[at + 5];
                        responseCommand = Buffer.concat([responseCommand, body.subarray(at + 6, at + 4 + body.readUInt32BE(at))]);
                        if ((header & 3) === 3) {
                            const status = commandStatus(responseCommand);
                            return finish(status === undefined ? { kind: "error", message: "response without a status" } : { kind: "status", status });
                        }
                    }
                }
            }
        });
    });
}
