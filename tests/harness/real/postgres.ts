import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { postgresBinDir, requireBinary } from "./binaries";
import { RunningProcess, startProcess, tcpOpen, waitFor } from "./processes";
import { runOk, runTool, ToolResult } from "./tools";

export interface PostgresServer {
    readonly port: number;
    readonly dataDir: string;
    readonly socketDir: string;
    /** The `postgres` superuser's password (random), for clients that connect as it over TCP. */
    readonly superuserPassword: string;
    /** The postmaster (a direct child, so kill9 hits the real server). */
    readonly process: RunningProcess;
    /** Runs SQL as the superuser over the unix socket; returns unaligned, tuples-only output. */
    sql(query: string, database?: string): Promise<string>;
    /** A login role owning a new database, with the given password or a random one (returned). */
    createRoleAndDatabase(role: string, database: string, password?: string): Promise<string>;
    /** Starts the server again after stop() or kill9() (same port, same data). */
    start(): Promise<void>;
    /** Fast shutdown (SIGINT): open sessions are disconnected. */
    stop(): Promise<void>;
    kill9(): Promise<void>;
    restart(): Promise<void>;
}

export interface PostgresOptions {
    /** A new or empty folder, made traversable by the postgres user (its parents must be traversable too). */
    dir: string;
    port: number;
    tls: { cert: string; key: string };
    logName?: string;
    /** Extra server settings (`-c key=value`), e.g. those pacstack renders for the chart; they win over the defaults here. */
    settings?: Record<string, string>;
    /**
     * The pg_hba.conf to run with, e.g. the one pacstack renders for the chart.
     * @default local trust, and SCRAM over TCP with or without TLS (so tests observe what the *client* chose)
     */
    hba?: string;
}

function postgresUser(): { uid: number; gid: number } {
    const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("postgres:"));
    if (!line) throw new Error("no `postgres` user; install the Debian packages listed in .ci/run");
    const [, , uid, gid] = line.split(":");
    return { uid: Number(uid), gid: Number(gid) };
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A throwaway PostgreSQL cluster on 127.0.0.1:<port> with TLS on, run as the `postgres` user. */
export async function startPostgres(options: PostgresOptions): Promise<PostgresServer> {
    const bin = postgresBinDir();
    const runuser = requireBinary("runuser");
    const owner = postgresUser();
    const dataDir = join(options.dir, "data");
    const socketDir = join(options.dir, "sock");
    const tlsDir = join(options.dir, "tls");
    mkdirSync(options.dir, { recursive: true });
    chmodSync(options.dir, 0o755);
    for (const d of [dataDir, socketDir, tlsDir]) {
        mkdirSync(d, { recursive: true, mode: 0o700 });
        chownSync(d, owner.uid, owner.gid);
    }
    // libpq and the server refuse a private key readable by others.
    for (const [source, name, mode] of [[options.tls.cert, "server.crt", 0o644], [options.tls.key, "server.key", 0o600]] as const) {
        copyFileSync(source, join(tlsDir, name));
        chownSync(join(tlsDir, name), owner.uid, owner.gid);
        chmodSync(join(tlsDir, name), mode);
    }
    const asPostgres = (tool: string, args: string[]) => runOk(runuser, ["-u", "postgres", "--", join(bin, tool), ...args], { cwd: "/" });
    // The superuser has a password, so the harness also works under a pg_hba.conf that asks for it on the socket.
    const superuserPassword = randomBytes(16).toString("hex");
    const pwfile = join(options.dir, "superuser-password");
    writeFileSync(pwfile, `${superuserPassword}\n`, { mode: 0o600 });
    chownSync(pwfile, owner.uid, owner.gid);
    await asPostgres("initdb", ["-D", dataDir, "-U", "postgres", "-E", "UTF8", "--no-locale", "--no-sync", "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${pwfile}`]);
    writeFileSync(join(dataDir, "pg_hba.conf"), options.hba ?? "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n");

    const settings = {
        listen_addresses: "127.0.0.1",
        unix_socket_directories: socketDir,
        ssl: "on",
        ssl_cert_file: join(tlsDir, "server.crt"),
        ssl_key_file: join(tlsDir, "server.key"),
        // As rendered for the Bitnami chart (components/postgres/values.ts); durability left at the defaults.
        password_encryption: "scram-sha-256",
        ssl_min_protocol_version: "TLSv1.2",
        ...options.settings,
    };
    const args = ["-D", dataDir, "-p", String(options.port), ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
    const env = { PATH: process.env.PATH, LANG: "C", HOME: options.dir };

    let proc: RunningProcess | undefined;
    const ready = async () =>
        (await tcpOpen(options.port)) && (await runTool(join(bin, "pg_isready"), ["-q", "-h", socketDir, "-p", String(options.port), "-U", "postgres"])).code === 0;
    const start = async () => {
        proc = startProcess(options.logName ?? "postgres", join(bin, "postgres"), args, { env, cwd: "/", ...owner, stopSignal: "SIGINT" });
        await waitFor(`PostgreSQL on 127.0.0.1:${options.port}`, ready, { process: proc, timeoutMs: 30_000 });
    };
    const psql = (query: string, database: string): Promise<ToolResult> =>
        runOk(runuser, ["-u", "postgres", "--", "env", `PGPASSWORD=${superuserPassword}`, join(bin, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", socketDir, "-p", String(options.port), "-d", database, "-c", query], { cwd: "/" });
    await start();

    const server: PostgresServer = {
        port: options.port,
        dataDir,
        socketDir,
        superuserPassword,
        get process() {
            if (!proc) throw new Error("PostgreSQL not started");
            return proc;
        },
        async sql(query, database = "postgres") {
            return (await psql(query, database)).stdout.trim();
        },
        async createRoleAndDatabase(role, database, given) {
            const password = given ?? randomBytes(16).toString("hex");
            if (password.includes("'")) throw new Error("a test password with a quote");
            // Separate statements: CREATE DATABASE cannot run inside the implicit transaction of one -c.
            await psql(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${password}'`, "postgres");
            await psql(`CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(role)}`, "postgres");
            return password;
        },
        start,
        async stop() {
            await proc?.stop(20_000);
        },
        async kill9() {
            await proc?.kill9();
        },
        async restart() {
            await server.stop();
            await start();
        },
    };
    return server;
}

/** Runs psql as a TCP client (like Orthanc's libpq would connect), e.g. to check sslmode and PGSSLROOTCERT. */
export function psqlClient(conninfo: string, query: string, env: NodeJS.ProcessEnv): Promise<ToolResult> {
    return runTool(join(postgresBinDir(), "psql"), ["-X", "-q", "-A", "-t", "-d", conninfo, "-c", query], {
        env: { PATH: process.env.PATH, HOME: "/nonexistent", ...env },
    });
}
