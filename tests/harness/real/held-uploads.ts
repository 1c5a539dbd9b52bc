import { readFileSync } from "node:fs";
import { Socket } from "node:net";

/**
 * Uploads that never finish, as a hostile client holds them: the request head with a declared Content-Length, a
 * first part of the body, then one byte every `trickleMs` (so no idle timeout ends them) until closed.
 */
export interface HeldUploads {
    /** Everything each connection has received so far (an answer means the server gave up on the body). */
    answers(): string[];
    /** Connections still open. */
    open(): number;
    close(): void;
}

export interface HeldUploadOptions {
    /** Opens one connection (plain TCP, or TLS to the edge). */
    connect: () => Socket;
    /** The Host header. */
    host: string;
    path: string;
    authorization: string;
    declaredBytes: number;
    firstBytes: number;
    count: number;
    /** @default 10_000 */
    trickleMs?: number;
}

export function holdUploads(options: HeldUploadOptions): HeldUploads {
    const sockets: Socket[] = [];
    const received: string[] = [];
    for (let i = 0; i < options.count; i++) {
        const socket = options.connect();
        received.push("");
        socket.on("data", (data: Buffer) => (received[i] += data.toString("latin1")));
        socket.on("error", () => socket.destroy());
        const head = [
            `POST ${options.path} HTTP/1.1`,
            `Host: ${options.host}`,
            `Authorization: ${options.authorization}`,
            "Content-Type: application/dicom",
            `Content-Length: ${options.declaredBytes}`,
        ];
        socket.write(`${head.join("\r\n")}\r\n\r\n`);
        socket.write(Buffer.alloc(options.firstBytes));
        sockets.push(socket);
    }
    const trickle = setInterval(() => sockets.forEach((s) => s.destroyed || s.write(Buffer.alloc(1))), options.trickleMs ?? 10_000);
    return {
        answers: () => [...received],
        open: () => sockets.filter((s) => !s.destroyed).length,
        close: () => {
            clearInterval(trickle);
            sockets.forEach((s) => s.destroy());
        },
    };
}

/** Resident memory of a process in MiB (VmRSS). */
export function residentMiB(pid: number): number {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (!match) throw new Error(`no VmRSS for process ${pid}`);
    return Number(match[1]) / 1024;
}
