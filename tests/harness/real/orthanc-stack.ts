import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderOrthancCredentials } from "../../../components/orthanc/config";
import { Association } from "./dicom";
import { OrthancServer, startOrthanc } from "./orthanc";
import { orthancTier, OrthancTier, OrthancTierId, tierWorkDir } from "./orthanc-tiers";
import { createTestPki, TestPki } from "./pki";
import { PostgresServer, startPostgres } from "./postgres";
import { freePort } from "./processes";

/** One Orthanc "pod" with its own PostgreSQL (over TLS), on one tier, with the test PKI. */
export interface OrthancStack {
    tier: OrthancTier;
    /** The test's own folder (certificates, DICOM files, PostgreSQL). */
    work: string;
    pki: TestPki;
    postgres: PostgresServer;
    orthanc: OrthancServer;
    /** DICOM TLS association to this Orthanc with the test PKI's client certificate. */
    association(callingAe?: string): Association;
    stop(): Promise<void>;
}

export interface OrthancStackOptions {
    tierId: OrthancTierId;
    /** The deployed configuration (loopbackOrthancConfig rewrites hosts, ports and paths only). */
    production: Record<string, unknown>;
    name: string;
    /** Reuse a PKI (two stacks that trust each other); default: a new one in the stack's folder. */
    pki?: TestPki;
    /** REST users besides the generated admin (for example the user a peer sends as). @default none */
    users?: Record<string, string>;
    /** The ConfigMap's files besides orthanc.json and the Secrets' environment (see OrthancOptions). @default none */
    configFiles?: Record<string, string>;
    secretEnv?: Record<string, string>;
    /** The container's memory limit (see OrthancOptions.memoryLimit). @default no cap */
    memoryLimit?: string;
}

export async function startOrthancStack(options: OrthancStackOptions): Promise<OrthancStack> {
    const tier = orthancTier(options.tierId);
    const work = mkdtempSync(join(tmpdir(), `pacstack-${options.name}-`));
    chmodSync(work, 0o711); // PostgreSQL runs as `postgres` and must reach its folder inside
    const pods = tierWorkDir(tier, `pacstack-${options.name}-`);
    let postgres: PostgresServer | undefined;
    let orthanc: OrthancServer | undefined;
    const stop = async () => {
        await orthanc?.stop();
        await postgres?.stop();
        for (const dir of [work, pods]) rmSync(dir, { recursive: true, force: true });
    };
    try {
        const pki = options.pki ?? (await createTestPki(join(work, "pki")));
        const [pgPort, httpPort, dicomPort] = await Promise.all([freePort(), freePort(), freePort()]);
        postgres = await startPostgres({ dir: join(work, "postgres"), port: pgPort, tls: { cert: pki.server.cert, key: pki.server.key }, logName: `${options.name}-postgres` });
        const dbPassword = await postgres.createRoleAndDatabase("orthanc", "orthanc");
        orthanc = await startOrthanc({
            production: options.production,
            credentials: renderOrthancCredentials({ admin: randomBytes(16).toString("hex"), ...options.users }),
            target: { root: join(pods, "pod"), httpPort, dicomPort, database: { host: "127.0.0.1", port: pgPort }, tier },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            dbPassword,
            configFiles: options.configFiles,
            secretEnv: options.secretEnv,
            memoryLimit: options.memoryLimit,
            logName: `${options.name}-orthanc-${tier.id}`,
        });
        const server = orthanc;
        return {
            tier,
            work,
            pki,
            postgres,
            orthanc: server,
            association: (callingAe?: string) => ({
                port: server.dicomPort,
                calledAe: String(options.production.DicomAet),
                callingAe,
                tls: { mode: "client", cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert },
            }),
            stop,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}
