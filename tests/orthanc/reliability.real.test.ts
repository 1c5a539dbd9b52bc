import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { connect } from "node:net";
import { join } from "node:path";
import { ORTHANC_INDEX_CONNECTIONS, POD_NAME_ENV, renderOrthancCredentials } from "../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { ORTHANC_MOUNTS } from "../../components/orthanc/paths";
import { LIVENESS_PATH, READINESS_PATH } from "../../components/orthanc/probe";
import { requireBinary } from "../harness/real/binaries";
import { giveToTierUser, insidePath, ORTHANC_TIER_IDS, orthancTier, OrthancTier, tierWorkDir } from "../harness/real/orthanc-tiers";
import { Association, echo } from "../harness/real/dicom";
import { basicAuthorization } from "../harness/real/http";
import { countInstances, problems, storedIntact } from "../harness/real/instances";
import { OrthancServer, startOrthanc } from "../harness/real/orthanc";
import { pacstackPostgresSettings } from "../harness/real/pacstack-postgres";
import { createTestPki, TestPki } from "../harness/real/pki";
import { PostgresServer, startPostgres } from "../harness/real/postgres";
import { runProbe } from "../harness/real/probe";
import { freePort, stopAllProcesses, waitFor } from "../harness/real/processes";
import { storeFiles, storeParallel } from "../harness/real/scu";
import { ctFile, newUid, SyntheticFile, writeCtStudy } from "../harness/real/synthetic";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";


/**
 * Fault tolerance of the Orthanc tier as pacstack configures it, with the real processes: Debian's Orthanc with
 * the PostgreSQL index and DICOMweb plugins on a loopback PostgreSQL started with the settings pacstack renders
 * for the chart. Pass/fail never depends on timing: every wait is for a condition, and every check is on data.
 */
for (const tierId of ORTHANC_TIER_IDS) describe(`Orthanc tier reliability against real Orthanc + PostgreSQL (${tierId})`, function () {
    this.timeout(60_000);
    const adminPassword = randomBytes(16).toString("hex");
    const credentials = renderOrthancCredentials({ admin: adminPassword });
    let work: string;
    let podsDir: string;
    let tier: OrthancTier;
    let pki: TestPki;
    let postgres: PostgresServer | undefined;
    let rolePassword: string;
    let databases = 0;

    before(async function () {
        this.timeout(15 * 60_000); // the sid tier's folder is built on first use
        tier = orthancTier(tierId);
        ["openssl", "python3", "runuser", "storescu", "echoscu"].forEach((tool) => requireBinary(tool));
        work = mkdtempSync(join(tmpdir(), "pacstack-reliability-"));
        chmodSync(work, 0o711);
        podsDir = tierWorkDir(tier, "pacstack-reliability-");
        pki = await createTestPki(join(work, "pki"));
        postgres = await startPostgres({
            dir: join(work, "postgres"),
            port: await freePort(),
            tls: { cert: pki.server.cert, key: pki.server.key },
            logName: `reliability-${tierId}-postgres`,
            settings: pacstackPostgresSettings(),
        });
        rolePassword = await postgres.createRoleAndDatabase("orthanc", "orthanc");
    });

    after(async function () {
        await stopAllProcesses();
        for (const dir of [work, podsDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const db = (): PostgresServer => {
        assert.ok(postgres, "PostgreSQL did not start (see before hook)");
        return postgres;
    };

    /** A new, empty database owned by the Orthanc role (each scenario starts from an empty index). */
    async function freshDatabase(): Promise<string> {
        const name = `orthanc_${++databases}`;
        await db().sql(`CREATE DATABASE ${name} OWNER orthanc`);
        return name;
    }

    interface PodOptions {
        replicas: number;
        database: string;
        podName: string;
        /** Storage folder shared with other pods (the ReadWriteMany volume); default: the pod's own. */
        sharedStorage?: string;
    }

    /** One Orthanc "pod": the deployed configuration for `replicas`, its mounts under <podsDir>/<podName>. */
    async function startPod(options: PodOptions): Promise<OrthancServer> {
        const root = join(podsDir, options.podName);
        if (options.sharedStorage) {
            mkdirSync(join(root, ORTHANC_MOUNTS.storage, ".."), { recursive: true });
            symlinkSync(insidePath(tier, options.sharedStorage), join(root, ORTHANC_MOUNTS.storage));
        }
        const [httpPort, dicomPort] = await Promise.all([freePort(), freePort()]);
        return startOrthanc({
            production: renderDeployedOrthancConfig({
                ...PRODUCTION_ORTHANC_INPUT,
                replicas: options.replicas,
                database: { ...PRODUCTION_ORTHANC_INPUT.database, name: options.database },
            }),
            credentials,
            target: { root, httpPort, dicomPort, database: { host: "127.0.0.1", port: db().port }, tier },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            dbPassword: rolePassword,
            podName: options.podName,
            logName: `reliability-${tierId}-${options.podName}`,
        });
    }

    const dicom = (orthanc: OrthancServer): Association => ({
        port: orthanc.dicomPort,
        calledAe: PRODUCTION_ORTHANC_INPUT.aeTitle,
        tls: { mode: "client", cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert },
        timeoutSeconds: 20,
    });

    const study = (name: string, instances: number, size = 16): SyntheticFile[] =>
        writeCtStudy(join(work, "dicom", name), { instances, perSeries: Math.ceil(instances / 2), rows: size, columns: size });

    const byFile = (files: SyntheticFile[]) => new Map(files.map((f) => [f.file, f]));

    it("two replicas share one PostgreSQL and one storage folder: stored through one, retrieved through the other, concurrent stores succeed", async function () {
        const database = await freshDatabase();
        const storage = join(podsDir, "shared-storage");
        mkdirSync(storage, { recursive: true });
        giveToTierUser(tier, storage);
        const pods = await Promise.all(
            ["pacstack-orthanc-7d9f-a", "pacstack-orthanc-7d9f-b"].map((podName) => startPod({ replicas: 2, database, podName, sharedStorage: storage })),
        );
        const [a, b] = pods;
        for (const pod of pods) assert.equal(pod.config.DatabaseServerIdentifier, `\${${POD_NAME_ENV}}`);
        // Each process holds exactly its bounded pool (PostgreSQL.IndexConnectionsCount), so replicas + 1 surge pod fit.
        const sessions = Number(await db().sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = '${database}'`));
        assert.equal(sessions, 2 * ORTHANC_INDEX_CONNECTIONS, "sessions of two replicas");

        const first = study("replicas-first", 4);
        const sent = await storeFiles(dicom(a), first.map((f) => f.file));
        assert.equal(sent.failed.length, 0, sent.output);
        assert.deepEqual(await problems(b, first), [], "stored through replica A, read through replica B");

        // The same study through both replicas at once, two associations each: every write touches the same
        // patient, study and series rows, the worst case for concurrent transactions.
        const both = study("replicas-concurrent", 80);
        const [viaA, viaB] = await Promise.all([
            storeParallel(dicom(a), both.slice(0, 40).map((f) => f.file), 2),
            storeParallel(dicom(b), both.slice(40).map((f) => f.file), 2),
        ]);
        assert.deepEqual([...viaA.failed, ...viaB.failed], [], [...viaA.outcomes, ...viaB.outcomes].map((o) => o.output.slice(-1500)).join("\n"));
        assert.equal(await countInstances(a), first.length + both.length);
        assert.equal(await countInstances(b), first.length + both.length);
        // Each replica reads what the other wrote (index rows and files in the shared folder).
        assert.deepEqual(await problems(a, both.slice(40)), []);
        assert.deepEqual(await problems(b, both.slice(0, 40)), []);
        await Promise.all(pods.map((pod) => pod.stop()));
    });

    it("kill -9 during an ingest: every acknowledged instance survives the restart intact, re-sending the rest succeeds", async function () {
        const orthanc = await startPod({ replicas: 1, database: await freshDatabase(), podName: "pacstack-orthanc-kill" });
        const files = study("kill", 400);
        let ingestDone = false;
        const ingest = storeParallel(dicom(orthanc), files.map((f) => f.file), 2).finally(() => (ingestDone = true));
        await waitFor("20 instances stored before the kill", async () => (await countInstances(orthanc)) >= 20, { process: orthanc.process });
        assert.equal(ingestDone, false, "the ingest must still be running when Orthanc is killed (make the study larger)");
        await orthanc.kill9();
        const interrupted = await ingest;
        // Orthanc counts an instance before storescu reads its acknowledgement, so fewer than 20 may be acknowledged.
        assert.ok(interrupted.acknowledged.length > 0 && interrupted.failed.length > 0, `acknowledged ${interrupted.acknowledged.length}, failed ${interrupted.failed.length}`);

        await orthanc.start(); // kubelet restarts the container: same volume, same database
        const files1 = byFile(files);
        const acknowledged = interrupted.acknowledged.map((f) => files1.get(f) as SyntheticFile);
        assert.deepEqual(await problems(orthanc, acknowledged), [], "an acknowledged instance was lost or damaged by kill -9");

        const resent = await storeParallel(dicom(orthanc), interrupted.failed, 2);
        assert.deepEqual(resent.failed, [], resent.outcomes.map((o) => o.output.slice(-1500)).join("\n"));
        assert.equal(await countInstances(orthanc), files.length);
        assert.equal(await storedIntact(orthanc, files[files.length - 1]), undefined);
        await orthanc.stop();
    });

    it("PostgreSQL crashes and restarts during an ingest: Orthanc carries on by itself and loses no acknowledged instance", async function () {
        // Crash recovery, reconnection and the serialization retries of 400 stores take 40-70 s on a loaded 2-core machine.
        this.timeout(180_000);
        const orthanc = await startPod({ replicas: 1, database: await freshDatabase(), podName: "pacstack-orthanc-dbrestart" });
        const files = study("db-restart", 400);
        let ingestDone = false;
        const ingest = storeParallel(dicom(orthanc), files.map((f) => f.file), 2).finally(() => (ingestDone = true));
        await waitFor("20 instances stored before the restart", async () => (await countInstances(orthanc)) >= 20, { process: orthanc.process });
        assert.equal(ingestDone, false, "the ingest must still be running when PostgreSQL goes down (make the study larger)");
        // Immediate shutdown (SIGQUIT): no checkpoint, crash recovery at the next start, as after an OOM kill.
        db().process.child.kill("SIGQUIT");
        await db().process.exited;
        await db().start();
        const result = await ingest;
        assert.ok(orthanc.process.isRunning(), "Orthanc must survive a PostgreSQL restart (no manual action)");

        // The pod's own probes, as kubelet runs them, report it live and ready again without any intervention.
        await waitFor("the readiness probe passes again", async () => (await runProbe(orthanc, READINESS_PATH)).code === 0, { process: orthanc.process, timeoutMs: 30_000 });
        assert.equal((await runProbe(orthanc, LIVENESS_PATH)).code, 0);

        const files1 = byFile(files);
        const acknowledged = result.acknowledged.map((f) => files1.get(f) as SyntheticFile);
        assert.deepEqual(await problems(orthanc, acknowledged), [], "an acknowledged instance was lost across the PostgreSQL crash");
        const resent = await storeParallel(dicom(orthanc), result.failed, 2);
        assert.deepEqual(resent.failed, [], resent.outcomes.map((o) => o.output.slice(-1500)).join("\n"));
        assert.equal(await countInstances(orthanc), files.length);
        await orthanc.stop();
    });

    it("malformed input is rejected with an error, Orthanc stays up and earlier data stays intact", async function () {
        const orthanc = await startPod({ replicas: 1, database: await freshDatabase(), podName: "pacstack-orthanc-malformed" });
        const earlier = study("malformed-earlier", 2, 32);
        const stored = await storeFiles(dicom(orthanc), earlier.map((f) => f.file));
        assert.equal(stored.failed.length, 0, stored.output);

        const valid = () =>
            ctFile({
                patientId: "MALFORMED",
                patientName: "MALFORMED^TEST",
                studyUid: newUid(),
                seriesUid: newUid(),
                sopUid: newUid(),
                studyDate: "20250101",
                accessionNumber: "M1",
                studyDescription: "malformed",
                seriesNumber: 1,
                instanceNumber: 1,
                rows: 32,
                columns: 32,
            });
        /** The file with the 16-bit (or, for OB/OW, 32-bit) length of element `tag`/`vr` replaced. */
        const withLength = (tag: [number, number], vr: string, length: number) => {
            const file = valid();
            const header = Buffer.alloc(6);
            header.writeUInt16LE(tag[0], 0);
            header.writeUInt16LE(tag[1], 2);
            header.write(vr, 4, "latin1");
            const at = file.indexOf(header, 132);
            assert.ok(at > 0, `no (${tag[0].toString(16)},${tag[1].toString(16)}) ${vr} in the synthetic file`);
            if (vr === "OW" || vr === "OB") file.writeUInt32LE(length, at + 8);
            else file.writeUInt16LE(length, at + 6);
            return file;
        };
        const truncated = valid();
        const malformed: Record<string, Buffer> = {
            "truncated in the file meta group": truncated.subarray(0, 200),
            "truncated in the pixel data": truncated.subarray(0, Math.floor(truncated.length * 0.7)),
            "PatientName length past the end": withLength([0x0010, 0x0010], "PN", 0xfff0),
            "StudyInstanceUID length off by one": withLength([0x0020, 0x000d], "UI", 43),
            "Rows (US) length 200": withLength([0x0028, 0x0010], "US", 200),
            "PixelData length 2 GiB": withLength([0x7fe0, 0x0010], "OW", 0x7ffffff0),
            "non-DICOM bytes": randomBytes(64 * 1024),
            "an empty body": Buffer.alloc(0),
            // 64 MiB of zeros: larger than any single CT image, not DICOM.
            "an oversized non-DICOM upload": Buffer.alloc(64 * 1024 * 1024),
        };
        for (const [what, body] of Object.entries(malformed)) {
            const answer = await orthanc.request("/instances", { method: "POST", body, timeoutMs: 60_000 });
            assert.ok(answer.status >= 400 && answer.status < 500, `${what}: HTTP ${answer.status} ${answer.body.toString().slice(0, 300)}`);
            assert.ok(orthanc.process.isRunning(), `Orthanc died on ${what}`);
        }

        // A body announced far larger than the pod's memory: refused, the process stays up.
        const hugeAnswer = await new Promise<string>((done, fail) => {
            const socket = connect(orthanc.httpPort, "127.0.0.1", () => {
                socket.end(
                    `POST /instances HTTP/1.1\r\nHost: orthanc\r\nAuthorization: ${basicAuthorization(...orthanc.user)}\r\n` +
                        `Content-Type: application/dicom\r\nContent-Length: ${64 * 2 ** 30}\r\n\r\nDICM`,
                );
            });
            let text = "";
            socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
            socket.once("close", () => done(text.split("\r\n")[0]));
            socket.once("error", fail);
        });
        assert.match(hugeAnswer, /^HTTP\/1\.[01] [45]\d\d /, `a 64 GiB Content-Length must be refused, got ${JSON.stringify(hugeAnswer)}`);

        // Non-DICOM bytes on the DICOM port (TLS expected): the association fails, the server does not.
        await new Promise<void>((done) => {
            const socket = connect(orthanc.dicomPort, "127.0.0.1", () => socket.end(randomBytes(4096)));
            socket.on("data", () => undefined);
            socket.once("close", () => done());
            socket.once("error", () => done());
        });

        assert.ok(orthanc.process.isRunning(), "Orthanc must stay up");
        assert.equal((await echo(dicom(orthanc))).code, 0, "C-ECHO after the malformed input");
        assert.equal(await countInstances(orthanc), earlier.length, "nothing malformed was indexed");
        assert.deepEqual(await problems(orthanc, earlier), [], "earlier data must stay intact");
        await orthanc.stop();
    });
});
