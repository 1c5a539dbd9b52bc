import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ORTHANC_HTTP_PORT, renderOrthancCredentials } from "../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { CREDENTIALS_FILE, ORTHANC_MOUNTS } from "../../components/orthanc/paths";
import { LIVENESS_PATH, READINESS_PATH, renderProbeScript } from "../../components/orthanc/probe";
import { requireBinary } from "../harness/real/binaries";
import { ORTHANC_TIER_IDS, orthancTier, OrthancTier, tierWorkDir } from "../harness/real/orthanc-tiers";
import { Association, DicomSample, echo, freshCtSample, rawPixelData, store } from "../harness/real/dicom";
import { httpRequest, multipartParts } from "../harness/real/http";
import { changedKeyPaths, OrthancServer, startHttpsFront, startOrthanc } from "../harness/real/orthanc";
import { createTestPki, issue, opensslConfig, TestPki } from "../harness/real/pki";
import { startStunnel } from "../harness/real/stunnel";
import { PostgresServer, psqlClient, startPostgres } from "../harness/real/postgres";
import { logOffset, logSince } from "../harness/real/logs";
import { freePort, stopAllProcesses, waitFor } from "../harness/real/processes";
import { runTool, ToolResult } from "../harness/real/tools";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { renderPgHba } from "../../components/postgres/values";


/**
 * The only keys the loopback variant may change: addresses, ports and paths, plus SslEnabled (Debian's Orthanc
 * builds crash serving HTTPS, so stunnel serves the mounted SslCertificate file in front; see
 * loopbackOrthancConfig). Any other drift fails test (a).
 */
const LOOPBACK_KEYS = [
    "DicomPort",
    "DicomTlsCertificate",
    "DicomTlsPrivateKey",
    "DicomTlsTrustedCertificates",
    "DicomWeb.Host",
    "HttpPort",
    "IndexDirectory",
    "Plugins[0]",
    "Plugins[1]",
    "PostgreSQL.Host",
    "PostgreSQL.Port",
    "SslCertificate",
    "SslEnabled",
    "StorageDirectory",
];

for (const tierId of ORTHANC_TIER_IDS) describe(`Orthanc tier against real Orthanc + PostgreSQL (${tierId})`, function () {
    this.timeout(60_000);
    const production = renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
    const adminPassword = randomBytes(16).toString("hex");
    const credentials = renderOrthancCredentials({ admin: adminPassword });
    let work: string;
    let pods: string;
    let tier: OrthancTier;
    let pki: TestPki;
    let postgres: PostgresServer | undefined;
    let orthanc: OrthancServer | undefined;
    let dbPassword: string;
    let sample: DicomSample;
    let stored: { code: number; output: string } | undefined;

    before(async function () {
        this.timeout(15 * 60_000); // the sid tier's folder is built on first use
        tier = orthancTier(tierId);
        // Fail (never skip) with the package hint when a tool is missing.
        ["openssl", "python3", "runuser", "echoscu", "storescu", "dcmodify", "dcmdump"].forEach((tool) => requireBinary(tool));
        work = mkdtempSync(join(tmpdir(), "pacstack-orthanc-real-"));
        chmodSync(work, 0o711); // PostgreSQL runs as `postgres` and must reach its folder inside
        pods = tierWorkDir(tier, "pacstack-orthanc-real-");
        pki = await createTestPki(join(work, "pki"));
        const [pgPort, httpPort, dicomPort] = await Promise.all([freePort(), freePort(), freePort()]);
        // The pg_hba.conf pacstack gives the chart (TLS + SCRAM only): Orthanc must connect under it.
        postgres = await startPostgres({ dir: join(work, "postgres"), port: pgPort, tls: { cert: pki.server.cert, key: pki.server.key }, hba: renderPgHba() });
        dbPassword = await postgres.createRoleAndDatabase(PRODUCTION_ORTHANC_INPUT.database.username, PRODUCTION_ORTHANC_INPUT.database.name);
        orthanc = await startOrthanc({
            production,
            credentials,
            target: { root: join(pods, "pod"), httpPort, dicomPort, database: { host: "127.0.0.1", port: pgPort }, tier },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            dbPassword,
        });
        sample = await freshCtSample(join(work, "dicom"));
    });

    after(async function () {
        await orthanc?.stop();
        await postgres?.stop();
        await stopAllProcesses(); // whatever a failed before hook left running
        for (const dir of [work, pods]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const server = (): OrthancServer => {
        assert.ok(orthanc, "Orthanc did not start (see before hook)");
        return orthanc;
    };
    const association = (tls: Association["tls"], calledAe = PRODUCTION_ORTHANC_INPUT.aeTitle): Association => ({
        port: server().dicomPort,
        calledAe,
        tls,
    });
    const withClientCert = (): Association["tls"] => ({ mode: "client", cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert });
    /** The association failed, and Orthanc's log gives `reason` (so it is the TLS or AE check, not a crash). */
    const refusedBecause = async (attempt: () => Promise<ToolResult>, what: string, reason: RegExp) => {
        const log = server().process.log;
        const offset = logOffset(log);
        const result = await attempt();
        assert.notEqual(result.code, 0, `${what} must be refused, but echoscu succeeded:\n${result.output}`);
        await waitFor(`Orthanc logs ${reason} for ${what}`, async () => reason.test(logSince(log, offset)), { timeoutMs: 3_000, logs: [log] });
        assert.ok(server().process.isRunning(), "Orthanc must survive a refused association");
        return result;
    };

    it("(a) the loopback config differs from the production one only at host/port/path keys", function () {
        // debian12 (1.10.1) also runs without the DICOM TLS policy keys of 1.12.4 and the storage ceiling, whose
        // Reject mode is 1.11.2's (orthanc-tiers.ts keysNewerThan).
        const expected = { debian12: ["DicomTlsCiphersAccepted", "DicomTlsMinimumProtocolVersion", "MaximumStorageMode", "MaximumStorageSize"], sid: [] }[tierId];
        assert.deepEqual(tier.droppedKeys, expected);
        assert.deepEqual(changedKeyPaths(production, server().config), [...LOOPBACK_KEYS, ...expected].sort());
    });

    it("(b) C-ECHO over TLS with the CA-signed client certificate succeeds", async function () {
        const result = await echo(association(withClientCert()));
        assert.equal(result.code, 0, result.output);
    });

    it("(c) a plain (non-TLS) association is refused", async function () {
        await refusedBecause(() => echo(association({ mode: "none" })), "a plain association", /TLS error: wrong version number/);
    });

    it("(d) a TLS association without a client certificate is refused", async function () {
        await refusedBecause(() => echo(association({ mode: "anonymous", ca: pki.ca.cert })), "anonymous TLS", /peer did not return a certificate/);
    });

    it("(e) a TLS association with a certificate from another CA is refused", async function () {
        const rogue = { mode: "client" as const, cert: pki.rogueClient.cert, key: pki.rogueClient.key, ca: pki.ca.cert };
        await refusedBecause(() => echo(association(rogue)), "a rogue client certificate", /TLS error: certificate verify failed/);
    });

    it("(f) a wrong called AE title is refused (DicomCheckCalledAet)", async function () {
        const result = await refusedBecause(() => echo(association(withClientCert(), "NOTORTHANC")), "a wrong called AE title", /bad called AET.*NOTORTHANC/);
        assert.match(result.output, /Called AE Title Not Recognized/);
    });

    it("(g) C-STORE over TLS with the client certificate succeeds", async function () {
        stored = await store(association(withClientCert()), [sample.file]);
        assert.equal(stored.code, 0, stored.output);
        assert.doesNotMatch(stored.output, /(Store Failed|Status: (Refused|Error|Failure))/i, stored.output);
    });

    it("(h) an unauthenticated REST call gets 401", async function () {
        for (const path of ["/system", "/dicom-web/studies"]) {
            const answer = await httpRequest(server().httpPort, path);
            assert.equal(answer.status, 401, `GET ${path} without credentials`);
        }
    });

    it("(i) QIDO-RS finds the stored study and its RetrieveURL carries DicomWeb.Host over https", async function () {
        assert.ok(stored && stored.code === 0, "needs the C-STORE of (g)");
        const answer = await server().request(`/dicom-web/studies?StudyInstanceUID=${sample.studyUid}`, { headers: { Accept: "application/dicom+json" } });
        assert.equal(answer.status, 200, answer.body.toString());
        const studies = JSON.parse(answer.body.toString()) as Array<Record<string, { Value?: unknown[] }>>;
        assert.equal(studies.length, 1, answer.body.toString());
        assert.deepEqual(studies[0]["0020000D"]?.Value, [sample.studyUid]);
        const retrieveUrl = String(studies[0]["00081190"]?.Value?.[0]);
        const prefix = `https://127.0.0.1:${server().httpPort}/dicom-web/`;
        assert.ok(retrieveUrl.startsWith(prefix), `RetrieveURL ${retrieveUrl} should start with ${prefix}`);
    });

    it("(j) WADO-RS frame 1 returns exactly the pixel bytes that were sent", async function () {
        assert.ok(stored && stored.code === 0, "needs the C-STORE of (g)");
        const sent = await rawPixelData(sample.file, join(work, "dicom"));
        const path = `/dicom-web/studies/${sample.studyUid}/series/${sample.seriesUid}/instances/${sample.sopUid}/frames/1`;
        const answer = await server().request(path, { headers: { Accept: 'multipart/related; type="application/octet-stream"' } });
        assert.equal(answer.status, 200, answer.body.toString());
        const parts = multipartParts(answer.body, answer.headers["content-type"]);
        assert.equal(parts.length, 1, `one frame expected, got ${parts.length} parts`);
        assert.equal(parts[0].length, sent.length, "frame length");
        assert.ok(parts[0].equals(sent), "frame bytes differ from the PixelData that was sent");
    });

    it("(k) Orthanc's index is PostgreSQL and its connection uses TLS", async function () {
        assert.ok(postgres);
        // Orthanc only logs a plugin it cannot load and falls back to SQLite: make sure the index is PostgreSQL's.
        const system = JSON.parse((await server().request("/system")).body.toString()) as { DatabaseBackendPlugin: string | null };
        assert.match(String(system.DatabaseBackendPlugin), /libOrthancPostgreSQLIndex/, "Orthanc runs without the PostgreSQL index plugin");
        const rows = (await postgres.sql("select ssl from pg_stat_ssl join pg_stat_activity using (pid) where usename = 'orthanc'")).split("\n").filter(Boolean);
        assert.ok(rows.length >= 1, "Orthanc has no session on PostgreSQL");
        assert.deepEqual([...new Set(rows)], ["t"], `pg_stat_ssl.ssl per Orthanc session: ${rows.join(", ")}`);
    });

    it("(l) libpq with PGSSLROOTCERT verifies the server (why the pod sets PGSSLROOTCERT)", async function () {
        assert.ok(postgres);
        const conninfo = `host=127.0.0.1 port=${postgres.port} dbname=orthanc user=orthanc sslmode=require connect_timeout=5`;
        const rogue = await psqlClient(conninfo, "select 1", { PGPASSWORD: dbPassword, PGSSLROOTCERT: pki.rogueCa.cert });
        assert.notEqual(rogue.code, 0, `a server certificate not signed by PGSSLROOTCERT must be refused:\n${rogue.output}`);
        assert.match(rogue.output, /certificate verify failed/i);
        const real = await psqlClient(conninfo, "select 1", { PGPASSWORD: dbPassword, PGSSLROOTCERT: pki.ca.cert });
        assert.equal(real.code, 0, real.output);
        assert.equal(real.stdout.trim(), "1");
    });

    it("(m) the probe script, over HTTPS verifying the pacstack CA, exits 0 for liveness and readiness; non-zero with a wrong password or an impostor's certificate", async function () {
        const productionCa = `${ORTHANC_MOUNTS.httpsTls}/ca.crt`;
        const productionScript = renderProbeScript(`${ORTHANC_MOUNTS.config}/${CREDENTIALS_FILE}`, ORTHANC_HTTP_PORT, productionCa);
        // Orthanc's HTTPS as the pod serves it (the mounted certificate file), and an impostor from another CA.
        const front = await startHttpsFront(server(), join(work, "https-front"), `https-front-${tierId}`);
        const impostorPair = await issue(pki.dir, "impostor", "localhost", "server", pki.rogueCa, opensslConfig(pki));
        const impostor = await startStunnel({ mode: "server", targetPort: server().httpPort, cert: impostorPair.cert, key: impostorPair.key, dir: join(work, "impostor"), logName: `impostor-${tierId}` });
        const rewrite = (script: string, credentialsFile: string, port: number) => {
            const productionFile = JSON.stringify(`${ORTHANC_MOUNTS.config}/${CREDENTIALS_FILE}`);
            const productionUrl = `"https://127.0.0.1:${ORTHANC_HTTP_PORT}"`;
            for (const text of [productionFile, productionUrl, JSON.stringify(productionCa)]) {
                assert.equal(script.split(text).length, 2, `the probe script names ${text} once`);
            }
            return script
                .replace(productionFile, JSON.stringify(credentialsFile))
                .replace(productionUrl, `"https://127.0.0.1:${port}"`)
                .replace(JSON.stringify(productionCa), JSON.stringify(server().httpsCaFile));
        };
        const probe = (credentialsFile: string, path: string, port = front.port) =>
            runTool(requireBinary("python3"), ["-c", rewrite(productionScript, credentialsFile, port), path], { timeoutMs: 10_000 });
        try {
            for (const path of [LIVENESS_PATH, READINESS_PATH]) {
                const result = await probe(server().credentialsFile, path);
                assert.equal(result.code, 0, `probe ${path}: ${result.output}`);
            }
            const wrong = join(work, "wrong-credentials.json");
            writeFileSync(wrong, JSON.stringify(renderOrthancCredentials({ admin: `${adminPassword}x` })));
            for (const path of [LIVENESS_PATH, READINESS_PATH]) {
                const result = await probe(wrong, path);
                assert.notEqual(result.code, 0, `probe ${path} with a wrong password must fail: ${result.output}`);
            }
            const fooled = await probe(server().credentialsFile, LIVENESS_PATH, impostor.port);
            assert.notEqual(fooled.code, 0, `the probe must refuse a certificate from another CA: ${fooled.output}`);
            assert.match(fooled.output, /CERTIFICATE_VERIFY_FAILED/);
        } finally {
            await front.process.stop(5_000);
            await impostor.process.stop(5_000);
        }
    });
});
