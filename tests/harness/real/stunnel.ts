import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "./binaries";
import { freePort, RunningProcess, startProcess, waitFor } from "./processes";

/** One stunnel (Debian's stunnel4) service on loopback: TLS on one side, plain TCP on the other. */
export interface StunnelOptions {
    /** "client": plain in, TLS out (verifying the server); "server": TLS in (presenting `cert`), plain out. */
    mode: "client" | "server";
    targetPort: number;
    /** PEM certificate; in server mode it may also hold the key (then `key` is left out). */
    cert: string;
    key?: string;
    /** Client mode: the CA the server's chain must end at. */
    ca?: string;
    dir: string;
    logName: string;
    /** The only TLS version used (stunnel's sslVersion, e.g. "TLSv1.3"). @default TLS 1.2 and newer */
    version?: string;
    /** The only TLS 1.2 suites offered (OpenSSL names, `:`-separated). @default stunnel's */
    ciphers?: string;
}

export interface Stunnel {
    process: RunningProcess;
    /** The loopback port stunnel accepts on. */
    port: number;
}

/**
 * Starts stunnel and waits for its configuration to load. The port is never probed: a probe would open a session
 * that sends nothing, and Debian's Orthanc accepts no other DICOM association until such an idle session times out
 * (about a minute; see issue 15).
 */
export async function startStunnel(options: StunnelOptions): Promise<Stunnel> {
    mkdirSync(options.dir, { recursive: true });
    const port = await freePort();
    const config = join(options.dir, "stunnel.conf");
    const client = options.mode === "client";
    writeFileSync(
        config,
        [
            "foreground = yes",
            "pid =",
            // Level 6 logs the negotiated version and suite ("TLSv1.2 ciphersuite: ...").
            "debug = 6",
            `[${options.logName}]`,
            `client = ${client ? "yes" : "no"}`,
            `accept = 127.0.0.1:${port}`,
            `connect = 127.0.0.1:${options.targetPort}`,
            `cert = ${options.cert}`,
            ...(options.key ? [`key = ${options.key}`] : []),
            ...(options.ca ? [`CAfile = ${options.ca}`, "verifyChain = yes"] : []),
            ...(options.version ? [`sslVersion = ${options.version}`] : ["sslVersionMin = TLSv1.2"]),
            ...(options.ciphers ? [`ciphers = ${options.ciphers}`] : []),
            "",
        ].join("\n"),
    );
    const process = startProcess(options.logName, requireBinary("stunnel4"), [config]);
    await waitFor(`stunnel on 127.0.0.1:${port}`, async () => /Configuration successful/.test(readFileSync(process.log, "utf8")), { process, timeoutMs: 20_000 });
    return { process, port };
}
