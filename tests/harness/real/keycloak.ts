import { randomBytes } from "node:crypto";
import { copyFileSync, cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { DATABASE_SETUP_ENV, renderDatabaseSetupScript, renderDatabaseSetupSql } from "../../../components/keycloak/database";
import { KEYCLOAK_VERSION } from "../../../components/keycloak/version";
import { postgresBinDir } from "./binaries";
import { PostgresServer } from "./postgres";
import { freePort, RunningProcess, startProcess, waitFor } from "./processes";
import { runTool, ToolResult } from "./tools";

/**
 * Keycloak on loopback: Maven Central's `org.keycloak:keycloak-quarkus-dist` at the version the component deploys
 * (KEYCLOAK_VERSION), fetched, checked and built once by tests/tools/keycloak.sh into ~/.cache/pacstack-tools
 * (`--db=postgres --health-enabled=true --metrics-enabled=true --http-relative-path=/auth`, started `--optimized`),
 * on Debian's JDK 17, with its database on a real PostgreSQL over TLS (`sslmode=verify-full` against the CA, as
 * the pod connects).
 */

const REPO_ROOT = resolve(__dirname, "../../..");
/** Debian's JDK 17 (.ci/run installs it): one of the JDKs Keycloak supports (17, 21, 25). */
export const KEYCLOAK_JAVA_HOME = process.env.PACSTACK_KEYCLOAK_JAVA_HOME ?? "/usr/lib/jvm/java-17-openjdk-amd64";

let distHome: Promise<string> | undefined;
/** The built Keycloak home in the tool cache (fetched and built by tests/tools/keycloak.sh when missing). */
export function keycloakDist(): Promise<string> {
    distHome ??= runTool("bash", [join(REPO_ROOT, "tests/tools/keycloak.sh")], { timeoutMs: 30 * 60_000 }).then((result) => {
        const home = result.stdout.trim().split("\n").pop() ?? "";
        if (result.code !== 0 || !home) throw new Error(`tests/tools/keycloak.sh exited ${result.code} (mvn, unzip and a JDK must be installed):\n${result.output}`);
        return home;
    });
    return distHome;
}

export interface KeycloakDatabase {
    /** Host name the JDBC URL names (it must match the server certificate: verify-full). */
    host: string;
    port: number;
    name: string;
    username: string;
    password: string;
    /** PEM file of the CA that signed the server certificate. */
    caCertFile: string;
}

export interface KeycloakOptions {
    /** A new folder for this server's own conf/, data/ (and the realm file to import). */
    dir: string;
    /**
     * Its database: a PostgreSQL plus the CA file its server certificate chains to (the database Job's program creates
     * the user and database `keycloak` in it, with a random password), or the connection of a database that exists.
     */
    database: { postgres: PostgresServer; caCertFile: string; name?: string } | KeycloakDatabase;
    /** A realm document imported at the first start (`--import-realm`; skipped by Keycloak when the realm exists). */
    realm?: object;
    /**
     * The public base URL (`--hostname`, path included), e.g. `https://pacs.test:8443/auth` behind a proxy.
     * @default none: `--hostname-strict=false`, URLs follow the request (http://127.0.0.1:<port>/auth)
     */
    hostname?: string;
    /** HTTP port on 127.0.0.1. @default a free one */
    port?: number;
    /** Trust X-Forwarded-* from the caller (`--proxy-headers=xforwarded`), as behind Traefik. @default false */
    proxyHeaders?: boolean;
    /**
     * The bootstrap administrator and admin client to create at the first start (a server joining an existing
     * database, a second replica, must be given the first one's: Keycloak creates them only once).
     * @default random
     */
    admin?: { username: string; password: string };
    adminClient?: { clientId: string; secret: string };
    /** Further `kc.sh start` options (`--name=value`). */
    extraArgs?: string[];
    /** @default "keycloak" */
    logName?: string;
    /** @default 600_000 (startup on a loaded 2-core machine takes a minute or more) */
    readyTimeoutMs?: number;
}

export interface RunningKeycloak {
    /** Base URL on loopback, e.g. http://127.0.0.1:PORT/auth */
    readonly url: string;
    readonly port: number;
    /** Management interface (health, metrics): http://127.0.0.1:MPORT/auth */
    readonly managementUrl: string;
    readonly managementPort: number;
    /** The bootstrap administrator of the master realm (random password). */
    readonly admin: { username: string; password: string };
    /** The bootstrap admin client of the master realm (client credentials, admin role; random secret). */
    readonly adminClient: { clientId: string; secret: string };
    readonly database: KeycloakDatabase;
    readonly process: RunningProcess;
    /** A fresh access token of the bootstrap administrator (master realm, client admin-cli). */
    adminToken(): Promise<string>;
    /** A JSON call to the admin REST API (`path` below /admin/realms, e.g. `/pacstack/clients`); throws unless 2xx. */
    adminApi(method: string, path: string, body?: unknown): Promise<unknown>;
    /** Starts the same server again (same ports, same database) after stop(). */
    start(): Promise<void>;
    stop(): Promise<void>;
}

export interface DatabaseSetupOptions {
    /** A new folder for the script, SQL and password files. */
    dir: string;
    postgres: PostgresServer;
    caCertFile: string;
    /** The `postgres` superuser's password (the Job reads it from PostgreSQL's Secret). */
    superuserPassword: string;
    /** Keycloak's database user's password (the Job reads it from Keycloak's Secret). */
    password: string;
    /** @default "keycloak" (database and user) */
    name?: string;
    /** @default 120 */
    waitSeconds?: number;
}

/**
 * Runs the Job's database setup (renderDatabaseSetupScript + renderDatabaseSetupSql) with Debian's bash and psql, as
 * the Job runs it: over TCP to `localhost` with sslmode=verify-full against `caCertFile`, as the superuser.
 */
export async function runKeycloakDatabaseSetup(options: DatabaseSetupOptions): Promise<ToolResult> {
    mkdirSync(options.dir, { recursive: true });
    const files = { script: join(options.dir, "setup.sh"), sql: join(options.dir, "setup.sql"), password: join(options.dir, "password"), superuser: join(options.dir, "superuser") };
    writeFileSync(files.script, renderDatabaseSetupScript(), { mode: 0o700 });
    writeFileSync(files.sql, renderDatabaseSetupSql());
    writeFileSync(files.password, options.password, { mode: 0o600 });
    writeFileSync(files.superuser, options.superuserPassword, { mode: 0o600 });
    const name = options.name ?? "keycloak";
    return runTool("bash", [files.script, files.sql], {
        env: {
            PATH: `${postgresBinDir()}:${process.env.PATH}`,
            HOME: options.dir,
            PGHOST: "localhost",
            PGPORT: String(options.postgres.port),
            PGUSER: "postgres",
            [DATABASE_SETUP_ENV.superuserPasswordFile]: files.superuser,
            PGSSLMODE: "verify-full",
            PGSSLROOTCERT: options.caCertFile,
            PGCONNECT_TIMEOUT: "5",
            [DATABASE_SETUP_ENV.passwordFile]: files.password,
            [DATABASE_SETUP_ENV.database]: name,
            [DATABASE_SETUP_ENV.user]: name,
            [DATABASE_SETUP_ENV.waitSeconds]: String(options.waitSeconds ?? 120),
        },
        timeoutMs: ((options.waitSeconds ?? 120) + 60) * 1000,
    });
}

/** The database as given, or one made by the database Job's program (runKeycloakDatabaseSetup) in `postgres`. */
async function databaseOf(options: KeycloakOptions): Promise<KeycloakDatabase> {
    const db = options.database;
    if (!("postgres" in db)) return db;
    const name = db.name ?? "keycloak";
    const password = randomBytes(24).toString("base64url");
    const setup = await runKeycloakDatabaseSetup({
        dir: join(options.dir, "database-setup"),
        postgres: db.postgres,
        caCertFile: db.caCertFile,
        superuserPassword: db.postgres.superuserPassword,
        password,
        name,
    });
    if (setup.code !== 0) throw new Error(`Keycloak's database setup exited ${setup.code}:\n${setup.output}`);
    return { host: "localhost", port: db.postgres.port, name, username: name, password, caCertFile: db.caCertFile };
}

/**
 * A home folder of its own for one server: bin/ and conf/ copied (kc.sh finds its home from its own location),
 * lib/, providers/ and themes/ linked to the built dist (read-only with --optimized), data/ empty.
 */
function instanceHome(dist: string, dir: string): string {
    const home = join(dir, "home");
    mkdirSync(join(home, "data", "import"), { recursive: true });
    for (const entry of readdirSync(dist)) {
        if (entry === "data") continue;
        if (entry === "bin" || entry === "conf") cpSync(join(dist, entry), join(home, entry), { recursive: true });
        else symlinkSync(join(dist, entry), join(home, entry));
    }
    return home;
}

/** Starts Keycloak and waits until its management port reports ready (database connected, realm imported). */
export async function startKeycloak(options: KeycloakOptions): Promise<RunningKeycloak> {
    const dist = await keycloakDist();
    mkdirSync(options.dir, { recursive: true });
    const home = instanceHome(dist, options.dir);
    const database = await databaseOf(options);
    const caCopy = join(options.dir, "database-ca.crt");
    copyFileSync(database.caCertFile, caCopy);
    if (options.realm) writeFileSync(join(home, "data", "import", "realm.json"), JSON.stringify(options.realm));
    const [port, managementPort, jgroupsPort] = [options.port ?? (await freePort()), await freePort(), await freePort()];
    const admin = options.admin ?? { username: "bootstrap-admin", password: randomBytes(18).toString("base64url") };
    const adminClient = options.adminClient ?? { clientId: "bootstrap-admin-client", secret: randomBytes(18).toString("base64url") };
    const jdbcUrl = `jdbc:postgresql://${database.host}:${database.port}/${database.name}?sslmode=verify-full&sslrootcert=${caCopy}`;
    const args = [
        "start",
        "--optimized",
        "--http-enabled=true",
        "--http-host=127.0.0.1",
        `--http-port=${port}`,
        `--http-management-port=${managementPort}`,
        ...(options.hostname ? [`--hostname=${options.hostname}`] : ["--hostname-strict=false"]),
        ...(options.proxyHeaders ? ["--proxy-headers=xforwarded"] : []),
        `--db-url=${jdbcUrl}`,
        `--db-username=${database.username}`,
        ...(options.realm ? ["--import-realm"] : []),
        ...(options.extraArgs ?? []),
    ];
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        LANG: "C.UTF-8",
        HOME: options.dir,
        JAVA_HOME: KEYCLOAK_JAVA_HOME,
        // Secrets through the environment, never the command line (visible in ps).
        KC_DB_PASSWORD: database.password,
        KC_BOOTSTRAP_ADMIN_USERNAME: admin.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
        KC_BOOTSTRAP_ADMIN_CLIENT_ID: adminClient.clientId,
        KC_BOOTSTRAP_ADMIN_CLIENT_SECRET: adminClient.secret,
        // Infinispan's cluster transport (JGroups) binds to loopback only, on a free port.
        JAVA_OPTS_APPEND: `-Djgroups.bind.address=127.0.0.1 -Djgroups.bind.port=${jgroupsPort} -Djava.net.preferIPv4Stack=true`,
    };
    const url = `http://127.0.0.1:${port}/auth`;
    const managementUrl = `http://127.0.0.1:${managementPort}/auth`;
    let proc: RunningProcess | undefined;
    const ready = async () => (await fetch(`${managementUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) })).status === 200;
    const start = async () => {
        proc = startProcess(options.logName ?? "keycloak", join(home, "bin", "kc.sh"), args, { env, cwd: options.dir });
        await waitFor(`Keycloak ${KEYCLOAK_VERSION} on ${url}`, ready, { process: proc, timeoutMs: options.readyTimeoutMs ?? 600_000, intervalMs: 1_000 });
    };
    await start();

    const adminToken = async (): Promise<string> => {
        const answer = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
            method: "POST",
            body: new URLSearchParams({ grant_type: "password", client_id: "admin-cli", username: admin.username, password: admin.password }),
        });
        const body = (await answer.json()) as { access_token?: string };
        if (answer.status !== 200 || !body.access_token) throw new Error(`admin token: ${answer.status} ${JSON.stringify(body)}`);
        return body.access_token;
    };
    return {
        url,
        port,
        managementUrl,
        managementPort,
        admin,
        adminClient,
        database,
        get process() {
            if (!proc) throw new Error("Keycloak not started");
            return proc;
        },
        adminToken,
        async adminApi(method, path, body) {
            const answer = await fetch(`${url}/admin/realms${path}`, {
                method,
                headers: { Authorization: `Bearer ${await adminToken()}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
                body: body === undefined ? undefined : JSON.stringify(body),
            });
            const text = await answer.text();
            if (!answer.ok) throw new Error(`${method} /admin/realms${path}: ${answer.status} ${text}`);
            return text ? JSON.parse(text) : undefined;
        },
        start,
        async stop() {
            await proc?.stop(30_000);
        },
    };
}
