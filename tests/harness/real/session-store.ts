/**
 * The session store on loopback: Debian 12's redis-server (7.0.15; the deployment runs Valkey 8.1, see README)
 * started with the plan's configuration file and the rendered ACL, only the paths, the address and the port
 * changed. `cli` runs Debian's redis-cli against it over TLS.
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { SESSION_STORE_PORT, renderSessionStoreAcl } from "../../../components/session-store/settings";
import { SESSION_STORE_MOUNTS, SESSION_STORE_SECRET_KEYS } from "../../../components/session-store/workload";
import { requireBinary } from "./binaries";
import { RunningProcess, freePort, startProcess, waitFor } from "./processes";

const run = promisify(execFile);

export interface RunningSessionStore {
    port: number;
    process: RunningProcess;
    /** The configuration file as started (the plan's, paths and port changed). */
    config: string;
    /** redis-cli over TLS (CA verified); with `as`, signed in as that user. Returns its output (errors included). */
    cli(args: string[], as?: { username: string; password: string }, tls?: boolean): Promise<string>;
    stop(): Promise<void>;
}

/** The plan's configuration file with the pod's paths, port and address replaced by loopback ones. */
export function loopbackSessionStoreConfig(planned: string, local: { dir: string; port: number; tls: { cert: string; key: string; ca: string } }): string {
    const lines = planned
        .split(`${SESSION_STORE_MOUNTS.tls}/tls.crt`).join(local.tls.cert)
        .split(`${SESSION_STORE_MOUNTS.tls}/tls.key`).join(local.tls.key)
        .split(`${SESSION_STORE_MOUNTS.tls}/ca.crt`).join(local.tls.ca)
        .split(`${SESSION_STORE_MOUNTS.acl}/${SESSION_STORE_SECRET_KEYS.acl}`).join(join(local.dir, SESSION_STORE_SECRET_KEYS.acl))
        .split(`dir ${SESSION_STORE_MOUNTS.data}`).join(`dir ${local.dir}`)
        .split(`tls-port ${SESSION_STORE_PORT}`).join(`tls-port ${local.port}`);
    return `bind 127.0.0.1\n${lines}`;
}

export async function startSessionStore(options: { dir: string; plannedConfig: string; password: string; tls: { cert: string; key: string; ca: string }; logName?: string }): Promise<RunningSessionStore> {
    const server = requireBinary("redis-server");
    const client = requireBinary("redis-cli");
    mkdirSync(options.dir, { recursive: true });
    const port = await freePort();
    writeFileSync(join(options.dir, SESSION_STORE_SECRET_KEYS.acl), renderSessionStoreAcl(options.password), { mode: 0o600 });
    const config = loopbackSessionStoreConfig(options.plannedConfig, { dir: options.dir, port, tls: options.tls });
    const configFile = join(options.dir, "valkey.conf");
    writeFileSync(configFile, config);
    const proc = startProcess(options.logName ?? "session-store", server, [configFile]);
    const cli = async (args: string[], as?: { username: string; password: string }, tls = true) => {
        const auth = as ? ["--user", as.username, "--pass", as.password, "--no-auth-warning"] : [];
        const transport = tls ? ["--tls", "--cacert", options.tls.ca] : [];
        try {
            const { stdout, stderr } = await run(client, ["-h", "localhost", "-p", String(port), ...transport, ...auth, ...args], { timeout: 10_000 });
            return `${stdout}${stderr}`.trim();
        } catch (error) {
            const failed = error as { stdout?: string; stderr?: string; message: string };
            return `${failed.stdout ?? ""}${failed.stderr ?? failed.message}`.trim();
        }
    };
    await waitFor("session store answers over TLS", async () => /NOAUTH|PONG/.test(await cli(["ping"])), { process: proc, timeoutMs: 30_000, intervalMs: 250 });
    return { port, process: proc, config, cli, stop: () => proc.stop(5_000) };
}
