import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DB_PASSWORD_ENV, orthancJson, POD_NAME_ENV } from "../../../components/orthanc/config";
import { CERTIFICATE_AND_KEY_FILE } from "../../../components/certificates/plan";
import { CONFIG_FILE, CREDENTIALS_FILE, ORTHANC_MOUNTS, ORTHANC_PLUGIN_DIR, TRUSTED_MODALITIES_FILE } from "../../../components/orthanc/paths";
import { ORTHANC_PLAIN_ENV } from "../../../components/orthanc/workload";
import { renderOrthancCommand } from "../../../components/orthanc/command";
import { requireFile } from "./binaries";
import { giveToTierUser, hostPath, insidePath, OrthancTier, tierCommand } from "./orthanc-tiers";
import { basicAuthorization, httpRequest, HttpAnswer, HttpOptions } from "./http";
import { writeProjectedVolume } from "./projected";
import { httpStatus, RunningProcess, startProcess, waitFor } from "./processes";
import { Stunnel, startStunnel } from "./stunnel";

type Json = unknown;

/** Where the loopback Orthanc listens and finds things instead of the pod's addresses and mounts. */
export interface LoopbackTarget {
    /**
     * Stands for the pod's filesystem root: every pod mount point M becomes <root>M (a host path; for a chrooted
     * tier it lies inside the tier's root, see tierWorkDir).
     */
    root: string;
    httpPort: number;
    dicomPort: number;
    database: { host: string; port: number };
    /** The Orthanc build under test (its binary, plugin folder and root). */
    tier: OrthancTier;
    /**
     * host:port clients reach Orthanc's web services at (DicomWeb.Host): an edge's public name and loopback port.
     * @default 127.0.0.1:<httpPort>, Orthanc itself
     */
    publicAuthority?: string;
}

const MOUNTS: string[] = Object.values(ORTHANC_MOUNTS);
const isLink = (path: string) => lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;

/**
 * The production configuration with ONLY addresses, ports and paths replaced, so it runs on loopback.
 * Everything else (security switches, TLS requirements, PostgreSQL options) stays byte for byte the same, except
 * the keys the tier's Orthanc predates (tier.droppedKeys), which are left out.
 */
export function loopbackOrthancConfig(production: Record<string, unknown>, target: LoopbackTarget): Record<string, unknown> {
    const root = insidePath(target.tier, target.root);
    const exact: Record<string, Json> = {
        HttpPort: target.httpPort,
        DicomPort: target.dicomPort,
        "PostgreSQL.Host": target.database.host,
        "PostgreSQL.Port": target.database.port,
        "DicomWeb.Host": target.publicAuthority ?? `127.0.0.1:${target.httpPort}`,
        // The one setting that is not an address: the Orthanc builds Debian ships (1.10.1 and 1.13.0, both on
        // Debian's civetweb 1.15) crash on their first HTTPS connection (a null function pointer in the civetweb
        // worker), so the loopback Orthanc serves plain HTTP and startHttpsFront puts TLS, with the certificate
        // file the pod mounts, in front of it. See README, "Edge to Orthanc".
        SslEnabled: false,
    };
    const walk = (value: Json, path: string): Json => {
        if (path in exact) return exact[path];
        if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`));
        if (value !== null && typeof value === "object") {
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]));
        }
        if (typeof value === "string") {
            if (value.startsWith(`${ORTHANC_PLUGIN_DIR}/`)) return join(target.tier.pluginDir, value.slice(ORTHANC_PLUGIN_DIR.length + 1));
            if (MOUNTS.some((m) => value === m || value.startsWith(`${m}/`))) return `${root}${value}`;
        }
        return value;
    };
    const config = walk(production, "") as Record<string, unknown>;
    // Keys the tier's Orthanc predates (orthanc-tiers.ts keysNewerThan), and only those.
    for (const key of target.tier.droppedKeys) delete config[key];
    return config;
}

/** Key paths (`A.B`, `A[0]`) whose values differ between two documents, added and removed keys included. */
export function changedKeyPaths(before: Json, after: Json, path = ""): string[] {
    const isObject = (v: Json): v is Record<string, Json> => v !== null && typeof v === "object" && !Array.isArray(v);
    if (Array.isArray(before) && Array.isArray(after)) {
        const length = Math.max(before.length, after.length);
        return Array.from({ length }, (_, i) => changedKeyPaths(before[i], after[i], `${path}[${i}]`)).flat();
    }
    if (isObject(before) && isObject(after)) {
        const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
        return keys.flatMap((k) => changedKeyPaths(before[k], after[k], path ? `${path}.${k}` : k));
    }
    return JSON.stringify(before) === JSON.stringify(after) ? [] : [path];
}

export interface PemBundle {
    certPem: string;
    keyPem: string;
    caPem: string;
}

/**
 * Writes the pod's mounts under <root>: the config folder (orthanc.json, credentials.json and the ConfigMap's other
 * files, e.g. the forwarding script) and the TLS Secrets as kubelet lays them out.
 */
export function materializeOrthancMounts(
    root: string,
    config: Record<string, unknown>,
    credentials: Record<string, unknown>,
    tls: PemBundle,
    https: PemBundle = tls,
    otherFiles: Record<string, string> = {},
) {
    const configDir = join(root, ORTHANC_MOUNTS.config);
    const dicomTlsDir = join(root, ORTHANC_MOUNTS.dicomTls);
    const httpsTlsDir = join(root, ORTHANC_MOUNTS.httpsTls);
    // The modality trust file holds certificates, which a test brings like the Secrets' files: unless the test passes
    // one (renderModalityTrust of its own self-signed modalities), the test CA, which signed the test PKI's client.
    const trust = { [TRUSTED_MODALITIES_FILE]: tls.caPem };
    writeProjectedVolume(configDir, { ...trust, ...otherFiles, [CONFIG_FILE]: orthancJson(config), [CREDENTIALS_FILE]: orthancJson(credentials) });
    writeProjectedVolume(dicomTlsDir, { "tls.crt": tls.certPem, "tls.key": tls.keyPem, "ca.crt": tls.caPem });
    // As the Certificates component fills a backend Secret: the bundle is the certificate followed by its key.
    const bundle = `${https.certPem.trimEnd()}\n${https.keyPem}`;
    writeProjectedVolume(httpsTlsDir, { "tls.crt": https.certPem, "tls.key": https.keyPem, "ca.crt": https.caPem, [CERTIFICATE_AND_KEY_FILE]: bundle });
    // A storage folder may be a symbolic link to a shared one (as Orthanc sees it: dangling from outside a chroot).
    if (!isLink(join(root, ORTHANC_MOUNTS.storage))) mkdirSync(join(root, ORTHANC_MOUNTS.storage), { recursive: true });
    mkdirSync(join(root, ORTHANC_MOUNTS.tmp), { recursive: true });
    return {
        configDir,
        dicomTlsDir,
        storageDir: join(root, ORTHANC_MOUNTS.storage),
        credentialsFile: join(configDir, CREDENTIALS_FILE),
        caFile: join(dicomTlsDir, "ca.crt"),
        httpsBundleFile: join(httpsTlsDir, CERTIFICATE_AND_KEY_FILE),
        httpsCaFile: join(httpsTlsDir, "ca.crt"),
    };
}

export interface OrthancOptions {
    production: Record<string, unknown>;
    /** The credentials document (renderOrthancCredentials); its first user is used for readiness and request(). */
    credentials: Record<string, unknown>;
    target: LoopbackTarget;
    tls: PemBundle;
    /**
     * The HTTPS certificate the pod mounts (startHttpsFront serves it).
     * @default tls
     */
    https?: PemBundle;
    dbPassword: string;
    podName?: string;
    logName?: string;
    /** Extra command-line flags, e.g. ["--verbose"]. */
    flags?: string[];
    /** Wait for /system to answer 200 before returning (default true). */
    waitReady?: boolean;
    /** The ConfigMap's files besides orthanc.json (renderDeployedOrthancFiles), laid out beside it. @default none */
    configFiles?: Record<string, string>;
    /** Environment variables the pod gets from Secrets, e.g. a peer's password. @default none */
    secretEnv?: Record<string, string>;
    /** The container's memory limit: run the pod's command (renderOrthancCommand), capped like the pod. @default no cap */
    memoryLimit?: string;
}

export interface OrthancServer {
    readonly config: Record<string, unknown>;
    readonly configDir: string;
    readonly credentialsFile: string;
    /** The DICOM files' folder (host path). */
    readonly storageDir: string;
    readonly caFile: string;
    /** The mounted HTTPS certificate-and-key file (SslCertificate) and its CA. */
    readonly httpsBundleFile: string;
    readonly httpsCaFile: string;
    readonly httpPort: number;
    readonly dicomPort: number;
    readonly user: [string, string];
    readonly tier: OrthancTier;
    readonly process: RunningProcess;
    /** HTTP request with the first registered user's credentials unless `auth` is given. */
    request(path: string, options?: HttpOptions): Promise<HttpAnswer>;
    start(): Promise<void>;
    stop(): Promise<void>;
    kill9(): Promise<void>;
}

/** Materializes the pod layout under target.root and starts `Orthanc <root>/etc/pacstack/orthanc/` like the pod does. */
export async function startOrthanc(options: OrthancOptions): Promise<OrthancServer> {
    const tier = options.target.tier;
    const config = loopbackOrthancConfig(options.production, options.target);
    for (const plugin of (config.Plugins ?? []) as string[]) requireFile(hostPath(tier, plugin));
    const mounts = materializeOrthancMounts(options.target.root, config, options.credentials, options.tls, options.https, options.configFiles);
    giveToTierUser(tier, options.target.root);
    const root = insidePath(tier, options.target.root);
    const users = Object.entries((options.credentials.RegisteredUsers ?? {}) as Record<string, string>).sort();
    if (users.length === 0) throw new Error("credentials without RegisteredUsers");
    const user: [string, string] = users[0];
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        LANG: "C",
        HOME: root,
        TMPDIR: join(root, ORTHANC_MOUNTS.tmp),
        [DB_PASSWORD_ENV]: options.dbPassword,
        [POD_NAME_ENV]: options.podName ?? "pacstack-orthanc-0",
        ...options.secretEnv,
        // The pod's plain environment, with its mount points moved under the loopback root.
        ...Object.fromEntries(Object.entries(ORTHANC_PLAIN_ENV).map(([name, value]) => [name, `${root}${value}`])),
        // Debian's dcmtk leaves Nagle's algorithm on unless told otherwise: DICOM would be ten times slower.
        TCP_NODELAY: "1",
    };
    const httpPort = options.target.httpPort;
    let proc: RunningProcess | undefined;
    const start = async () => {
        const configDir = `${insidePath(tier, mounts.configDir)}/`;
        // With the pod's memory limit, exactly the pod's command (its address-space cap), the binary and folder moved.
        const pod = options.memoryLimit ? renderOrthancCommand(options.memoryLimit, tier.binary, configDir) : [tier.binary, configDir];
        const command = tierCommand(tier, pod[0], [...pod.slice(1, -1), ...(options.flags ?? []), configDir]);
        proc = startProcess(options.logName ?? `orthanc-${tier.id}`, command.command, command.args, { env, cwd: options.target.root });
        const authorization = basicAuthorization(...user);
        if (options.waitReady === false) return;
        await waitFor(`Orthanc on 127.0.0.1:${httpPort}`, async () => (await httpStatus(httpPort, "/system", { Authorization: authorization })) === 200, {
            process: proc,
            timeoutMs: 30_000,
        });
    };
    await start();
    return {
        config,
        ...mounts,
        httpPort,
        dicomPort: options.target.dicomPort,
        user,
        tier,
        get process() {
            if (!proc) throw new Error("Orthanc not started");
            return proc;
        },
        request: (path, requestOptions = {}) => httpRequest(httpPort, path, { auth: user, ...requestOptions }),
        start,
        stop: async () => proc?.stop(20_000),
        kill9: async () => proc?.kill9(),
    };
}

/**
 * TLS in front of a loopback Orthanc, with the certificate file its pod mounts (SslCertificate): what Orthanc's own
 * HTTPS would serve, since Debian's builds cannot (see loopbackOrthancConfig). Stop it with stopAllProcesses or
 * its process.
 */
export async function startHttpsFront(server: OrthancServer, dir: string, logName = "orthanc-https"): Promise<Stunnel> {
    return startStunnel({ mode: "server", targetPort: server.httpPort, cert: server.httpsBundleFile, dir, logName });
}
