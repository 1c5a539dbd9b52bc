import { ChildProcess, spawn } from "node:child_process";
import { closeSync, writeSync } from "node:fs";
import { request } from "node:http";
import { createConnection, createServer } from "node:net";
import { logTail, openLog } from "./logs";

export { LOG_DIR, logTail } from "./logs";
const LOOPBACK = "127.0.0.1";

export interface RunningProcess {
    readonly name: string;
    readonly pid: number;
    readonly log: string;
    readonly child: ChildProcess;
    /** Resolves when the process has exited. */
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    isRunning(): boolean;
    /** The stop signal (SIGTERM unless told otherwise), then SIGKILL after the grace period. */
    stop(graceMs?: number): Promise<void>;
    kill9(): Promise<void>;
}

const live = new Set<RunningProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    // Last resort when an `after` hook could not run: never leave a server behind.
    process.on("exit", () => {
        for (const p of live) {
            try {
                process.kill(p.pid, "SIGKILL");
            } catch {
                /* already gone */
            }
        }
    });
}

export interface StartOptions {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    uid?: number;
    gid?: number;
    /** Signal for an orderly stop (PostgreSQL: SIGINT, "fast shutdown"). */
    stopSignal?: NodeJS.Signals;
}

/** Stops every process still running, newest first (for `after` hooks, whatever failed before). */
export async function stopAllProcesses(): Promise<void> {
    for (const p of [...live].reverse()) {
        await p.stop();
    }
}

/** A long-running process with stdout and stderr in test-output/real/<name>.log. */
export function startProcess(name: string, command: string, args: string[], options: StartOptions = {}): RunningProcess {
    installExitHook();
    const log = openLog(name);
    writeSync(log.fd, `\n=== ${new Date().toISOString()} ${command} ${args.join(" ")}\n`);
    const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ["ignore", log.fd, log.fd],
        uid: options.uid,
        gid: options.gid,
    });
    closeSync(log.fd);
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    let running = true;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
        child.once("exit", (code, signal) => {
            running = false;
            live.delete(proc);
            done({ code, signal });
        });
    });
    const signal = async (sig: NodeJS.Signals, graceMs: number): Promise<boolean> => {
        if (!running) return true;
        child.kill(sig);
        const timer = new Promise<false>((done) => setTimeout(() => done(false), graceMs).unref());
        return Promise.race([exited.then(() => true), timer]);
    };
    const proc: RunningProcess = {
        name,
        pid: child.pid,
        log: log.path,
        child,
        exited,
        isRunning: () => running,
        async stop(graceMs = 10_000) {
            if (!(await signal(options.stopSignal ?? "SIGTERM", graceMs))) await signal("SIGKILL", 10_000);
        },
        async kill9() {
            await signal("SIGKILL", 10_000);
        },
    };
    live.add(proc);
    return proc;
}

/** Polls `condition` until it holds; on timeout (or when `process` dies) fails with the tail of its log. */
export async function waitFor(
    what: string,
    condition: () => Promise<boolean>,
    options: { timeoutMs?: number; intervalMs?: number; process?: RunningProcess; logs?: string[] } = {},
): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 20_000);
    const logs = options.logs ?? (options.process ? [options.process.log] : []);
    const fail = (why: string) => new Error([`${what}: ${why}`, ...logs.map((l) => logTail(l))].join("\n"));
    for (;;) {
        if (await condition().catch(() => false)) return;
        if (options.process && !options.process.isRunning()) {
            const { code, signal } = await options.process.exited;
            throw fail(`${options.process.name} exited (code ${code}, signal ${signal})`);
        }
        if (Date.now() > deadline) throw fail(`timed out after ${options.timeoutMs ?? 20_000} ms`);
        await new Promise((done) => setTimeout(done, options.intervalMs ?? 100));
    }
}

export function tcpOpen(port: number, host = LOOPBACK): Promise<boolean> {
    return new Promise((done) => {
        const socket = createConnection({ host, port });
        socket.once("connect", () => {
            socket.destroy();
            done(true);
        });
        socket.once("error", () => done(false));
    });
}

/** Status of a GET on loopback (undefined when nothing answers). */
export function httpStatus(port: number, path: string, headers: Record<string, string> = {}): Promise<number | undefined> {
    return new Promise((done) => {
        const req = request({ host: LOOPBACK, port, path, headers, agent: false, timeout: 2_000 }, (res) => {
            res.resume();
            done(res.statusCode);
        });
        req.once("timeout", () => req.destroy());
        req.once("error", () => done(undefined));
        req.end();
    });
}

/** A port nobody listens on right now (the kernel's choice for listen(0) on loopback). */
export function freePort(): Promise<number> {
    return new Promise((done, fail) => {
        const server = createServer();
        server.once("error", fail);
        server.listen(0, LOOPBACK, () => {
            const address = server.address();
            const port = typeof address === "object" && address ? address.port : 0;
            server.close(() => done(port));
        });
    });
}
