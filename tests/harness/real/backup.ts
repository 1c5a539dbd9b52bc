import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { serviceHostNames } from "../../../components/certificates/plan";
import { renderOrthancCredentials } from "../../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../../components/orthanc/deployed-config";
import { renderPgHba } from "../../../components/postgres/values";
import { postgresBinDir } from "./binaries";
import { OrthancServer, startOrthanc } from "./orthanc";
import { orthancTier, OrthancTier, tierWorkDir } from "./orthanc-tiers";
import { pacstackPostgresSettings } from "./pacstack-postgres";
import { createTestPki, issueServerFor, KeyPair, TestPki } from "./pki";
import { startPostgres } from "./postgres";
import { freePort } from "./processes";
import { PRODUCTION_ORTHANC_INPUT } from "./production";

/** A PostgreSQL as the chart's first start leaves it: the application role owning its database. */
export interface BackupDatabase {
    port: number;
    password: string;
    stop(): Promise<void>;
}

/**
 * What the backup tests share: a test CA, the database certificate pacstack issues (its Service's names only),
 * PostgreSQL servers with pacstack's chart settings and pg_hba.conf, and Debian's Orthanc 1.10.1 on them.
 */
export interface BackupHarness {
    pki: TestPki;
    tier: OrthancTier;
    /** Where Orthanc pods' folders go (readable by the tier's user). */
    podsDir: string;
    /** PATH of the backup containers' tools: PostgreSQL's client programs and the system's. */
    path: string;
    database(name: string): Promise<BackupDatabase>;
    /**
     * The libpq settings of a backup container moved to a test server: port, CA and password file. PGHOSTADDR sends
     * the Service's name (PGHOST, as rendered) to 127.0.0.1, so verify-full still checks the certificate's name.
     */
    databaseEnv(port: number, password: string): Record<string, string>;
    orthancOn(port: number, password: string, root: string, logName: string): Promise<OrthancServer>;
    everyInstance(orthanc: OrthancServer): Promise<Map<string, Buffer>>;
    cleanup(): void;
}

export async function startBackupHarness(work: string, label: string): Promise<BackupHarness> {
    mkdirSync(work, { recursive: true });
    chmodSync(work, 0o711);
    const tier = orthancTier("debian12");
    const podsDir = tierWorkDir(tier, `pacstack-backup-${label}-`);
    const pki = await createTestPki(join(work, "pki"));
    const databaseCert: KeyPair = await issueServerFor(pki, "database", serviceHostNames("pacstack-postgresql", "pacstack"));
    return {
        pki,
        tier,
        podsDir,
        path: `${postgresBinDir()}:/usr/bin:/bin`,
        async database(name) {
            const server = await startPostgres({
                dir: join(work, name),
                port: await freePort(),
                tls: { cert: databaseCert.cert, key: databaseCert.key },
                logName: `backup-${name}`,
                settings: pacstackPostgresSettings(),
                hba: renderPgHba(),
            });
            const password = await server.createRoleAndDatabase("orthanc", "orthanc");
            return { port: server.port, password, stop: () => server.stop() };
        },
        databaseEnv(port, password) {
            const passwordFile = join(work, `password-${randomBytes(4).toString("hex")}`);
            writeFileSync(passwordFile, password, { mode: 0o600 });
            return { PGPORT: String(port), PGSSLROOTCERT: pki.ca.cert, PGPASSWORD_FILE: passwordFile, PGHOSTADDR: "127.0.0.1" };
        },
        async orthancOn(port, password, root, logName) {
            return startOrthanc({
                production: renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT),
                credentials: renderOrthancCredentials({ admin: "admin-password" }),
                target: { root, httpPort: await freePort(), dicomPort: await freePort(), database: { host: "127.0.0.1", port }, tier },
                tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
                dbPassword: password,
                logName,
            });
        },
        async everyInstance(orthanc) {
            const ids = JSON.parse((await orthanc.request("/instances")).body.toString()) as string[];
            const files = new Map<string, Buffer>();
            for (const id of ids.sort()) {
                const answer = await orthanc.request(`/instances/${id}/file`);
                assert.equal(answer.status, 200, `/instances/${id}/file`);
                files.set(id, answer.body);
            }
            return files;
        },
        cleanup() {
            rmSync(podsDir, { recursive: true, force: true });
        },
    };
}
