import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderOrthancCredentials } from "../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { ORTHANC_TIER_IDS, orthancTier, tierWorkDir } from "../harness/real/orthanc-tiers";
import { httpStatus } from "../harness/real/processes";
import { basicAuthorization } from "../harness/real/http";
import { logSince } from "../harness/real/logs";
import { OrthancServer, startOrthanc } from "../harness/real/orthanc";
import { createTestPki, issue, opensslConfig } from "../harness/real/pki";
import { PostgresServer, startPostgres } from "../harness/real/postgres";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { freePort, stopAllProcesses, waitFor } from "../harness/real/processes";

/**
 * The database connection is encrypted and authenticated: Orthanc (sslmode=require from EnableSsl, plus the
 * PGSSLROOTCERT the pod sets) must refuse a PostgreSQL server whose certificate the pacstack CA did not sign.
 * If either setting were lost, Orthanc would connect to this impostor and the test would fail.
 */
for (const tierId of ORTHANC_TIER_IDS) describe(`Orthanc refuses a database server it cannot verify (real Orthanc + PostgreSQL, ${tierId})`, function () {
    this.timeout(60_000);
    let work: string;
    let pods: string;
    let postgres: PostgresServer | undefined;
    let orthanc: OrthancServer | undefined;

    after(async () => {
        await orthanc?.kill9();
        await postgres?.stop();
        await stopAllProcesses();
        for (const dir of [work, pods]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("does not connect to a PostgreSQL presenting a certificate from another CA", async function () {
        this.timeout(15 * 60_000); // the sid tier's folder is built on first use
        const tier = orthancTier(tierId);
        work = mkdtempSync(join(tmpdir(), "pacstack-db-tls-"));
        chmodSync(work, 0o711);
        pods = tierWorkDir(tier, "pacstack-db-tls-");
        const pki = await createTestPki(join(work, "pki"));
        const impostor = await issue(pki.dir, "impostor", "localhost", "server", pki.rogueCa, opensslConfig(pki));
        const [pgPort, httpPort, dicomPort] = await Promise.all([freePort(), freePort(), freePort()]);
        postgres = await startPostgres({ dir: join(work, "postgres"), port: pgPort, tls: { cert: impostor.cert, key: impostor.key } });
        const production = renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
        const dbPassword = await postgres.createRoleAndDatabase("orthanc", "orthanc");
        const password = randomBytes(16).toString("hex");
        orthanc = await startOrthanc({
            production,
            credentials: renderOrthancCredentials({ admin: password }),
            target: { root: join(pods, "pod"), httpPort, dicomPort, database: { host: "127.0.0.1", port: pgPort }, tier },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            dbPassword,
            waitReady: false,
        });
        const log = orthanc.process.log;
        await waitFor("Orthanc reports the failed certificate check", async () => /certificate verify failed/.test(logSince(log, 0)), {
            timeoutMs: 20_000,
            logs: [log],
        });
        assert.notEqual(await httpStatus(httpPort, "/system", { Authorization: basicAuthorization("admin", password) }), 200);
        const sessions = await postgres.sql("select count(*) from pg_stat_activity where usename = 'orthanc'");
        assert.match(sessions, /\b0\b/, "no session of Orthanc's user may reach the impostor");
    });
});
