import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { COMPLETE_MARKER } from "../../components/backup/s3-scripts";
import { DOWNLOAD_SCRIPT_FILE, S3_CA_FILE, S3_SECRET_KEYS, UPLOAD_SCRIPT_FILE } from "../../components/backup/s3-workload";
import { BACKUP_NAME } from "../../components/backup/script";
import { BACKUP_SCRIPT_FILE, RESTORE_SCRIPT_FILE } from "../../components/backup/workload";
import { ORTHANC_MOUNTS } from "../../components/orthanc/paths";
import { pinnedTools } from "../harness/kube/tools";
import { one, planStack } from "../harness/plan-runner";
import { BackupHarness, startBackupHarness } from "../harness/real/backup";
import { requireBinary } from "../harness/real/binaries";
import { insidePath } from "../harness/real/orthanc-tiers";
import { freePort, RunningProcess, startProcess, stopAllProcesses, tcpOpen, waitFor } from "../harness/real/processes";
import { ctPixels, SyntheticFile, writeCtStudy } from "../harness/real/synthetic";
import { runTool, ToolResult } from "../harness/real/tools";

/** The bucket the plan names; the test's S3 server holds it as a folder. */
const BUCKET = "pacs-backups";
const PREFIX = "site-a";
const CRON_JOB = "pacstack-postgresql-backup";
const KEYS = { accessKeyId: "PACSTACKTESTKEY", secretAccessKey: randomBytes(18).toString("base64url") };

type Env = Record<string, string>;
const envOf = (container: { env: { name: string; value?: string }[] }): Env => Object.fromEntries(container.env.map((e) => [e.name, e.value ?? ""]));

/**
 * Backups to an S3-compatible bucket with the real software: the dev plan with `backup.target: s3` (the test CA as
 * the bucket's CA bundle, retention 2) renders the CronJob; its dump step (backup.sh, Debian's pg_dump against the
 * real PostgreSQL) and its upload step (upload.sh with the real rclone, built from its Go module at the image's
 * version) run as rendered, in the environment of their containers with only addresses and paths moved, against
 * `rclone serve s3` over TLS on loopback (the S3 server built into the same rclone: see README). The restore pod's
 * download step and restore.sh bring every study back into a fresh PostgreSQL, byte for byte.
 */
describe("backup to an S3 bucket and restore from it (real rclone, rclone serve s3, PostgreSQL, Orthanc 1.10.1)", function () {
    this.timeout(300_000);
    let work: string;
    let harness: BackupHarness;
    let rclone: string;
    let server: RunningProcess | undefined;
    let serverPort: number;
    let storeRoot: string;
    let scripts: Record<string, string>;
    let dumpEnv: Env;
    let uploadEnv: Env;
    let downloadEnv: Env;
    let restoreEnv: Env;
    let restoreCommand: string[];

    before(async function () {
        this.timeout(60 * 60_000);
        ["openssl", "runuser", "bash", "sh", "find"].forEach((tool) => requireBinary(tool));
        rclone = (await pinnedTools()).rclone;
        work = mkdtempSync(join(tmpdir(), "pacstack-s3-backup-"));
        chmodSync(work, 0o711);
        harness = await startBackupHarness(join(work, "harness"), "s3");
        const s3 = { endpoint: "https://objects.hospital.example", bucket: BUCKET, prefix: PREFIX, ...KEYS, caBundle: harness.pki.ca.certPem };
        const plan = await planStack("dev", { "backup.target": "s3", "backup.s3": JSON.stringify(s3), "backup.retention": 2 });
        assert.equal(plan.code, 0, plan.stderr);
        scripts = (one(plan, "kubernetes:core/v1:ConfigMap", `${CRON_JOB}-scripts`).inputs as any).data;
        const backupPod = (one(plan, "kubernetes:batch/v1:CronJob", CRON_JOB).inputs as any).spec.jobTemplate.spec.template.spec;
        dumpEnv = envOf(backupPod.initContainers[0]);
        uploadEnv = envOf(backupPod.containers[0]);
        const restorePod = (one(plan, "kubernetes:batch/v1:CronJob", `${CRON_JOB}-restore`).inputs as any).spec.jobTemplate.spec.template.spec;
        downloadEnv = envOf(restorePod.initContainers[0]);
        restoreEnv = envOf(restorePod.containers[0]);
        restoreCommand = restorePod.containers[0].command;
        storeRoot = join(work, "store");
        mkdirSync(join(storeRoot, BUCKET), { recursive: true });
        serverPort = await freePort();
        await startServer(KEYS);
    });

    after(async function () {
        await stopAllProcesses();
        if (work) rmSync(work, { recursive: true, force: true });
        harness?.cleanup();
    });

    /** The S3 server: the test's folder as the store, TLS with a certificate of the test CA for 127.0.0.1. */
    async function startServer(keys: typeof KEYS) {
        server = startProcess("s3-backup-rclone-serve", rclone, [
            "serve", "s3", "--addr", `127.0.0.1:${serverPort}`, "--auth-key", `${keys.accessKeyId},${keys.secretAccessKey}`,
            "--cert", harness.pki.server.cert, "--key", harness.pki.server.key, "--config", "/dev/null", storeRoot,
        ]);
        await waitFor("rclone serve s3", () => tcpOpen(serverPort), { process: server, timeoutMs: 30_000 });
    }

    /** A container's environment as rendered, with only addresses and paths moved to the test's. */
    function moved(rendered: Env, changes: Env): NodeJS.ProcessEnv {
        for (const key of Object.keys(changes).filter((k) => k !== "PGHOSTADDR")) assert.ok(key in rendered, `${key} is not in the rendered environment`);
        return { ...rendered, ...changes, PATH: `${dirname(rclone)}:${harness.path}`, LANG: "C" };
    }

    /** One pod run: its own scratch folder (the ephemeral volume), its own credential files (the mounted Secret). */
    function pod(keys = KEYS) {
        const dir = mkdtempSync(join(work, "pod-"));
        const scratch = join(dir, "backup");
        const tmp = join(dir, "tmp");
        const credentials = join(dir, "s3-credentials");
        [scratch, tmp, credentials].forEach((d) => mkdirSync(d));
        writeFileSync(join(credentials, S3_SECRET_KEYS.accessKeyId), keys.accessKeyId);
        writeFileSync(join(credentials, S3_SECRET_KEYS.secretAccessKey), keys.secretAccessKey);
        const caFile = join(dir, S3_CA_FILE);
        writeFileSync(caFile, scripts[S3_CA_FILE]);
        const rcloneChanges = {
            BACKUP_DIR: scratch,
            HOME: tmp,
            RCLONE_CA_CERT: caFile,
            RCLONE_CONFIG: join(tmp, "rclone.conf"),
            RCLONE_CONFIG_TARGET_ENDPOINT: `https://127.0.0.1:${serverPort}`,
            S3_CREDENTIALS_DIR: credentials,
            XDG_CACHE_HOME: tmp,
        };
        return { scratch, rcloneChanges };
    }

    const run = (shell: string, script: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<ToolResult> => {
        const file = join(work, `script-${randomBytes(4).toString("hex")}.sh`);
        writeFileSync(file, script);
        return runTool(shell, [file, ...args], { env, cwd: "/", timeoutMs: 90_000 });
    };

    /** The backup pod: the dump step into the scratch folder, then the upload step. Returns the upload's result. */
    async function backupRun(database: { port: number; password: string }, keys = KEYS): Promise<{ dump: ToolResult; upload?: ToolResult }> {
        const { scratch, rcloneChanges } = pod(keys);
        const dump = await run("/bin/bash", scripts[BACKUP_SCRIPT_FILE], moved(dumpEnv, { ...harness.databaseEnv(database.port, database.password), BACKUP_DIR: scratch }));
        if (dump.code !== 0) return { dump };
        return { dump, upload: await run("/bin/sh", scripts[UPLOAD_SCRIPT_FILE], moved(uploadEnv, rcloneChanges)) };
    }

    /** The folders of this server's backups in the bucket, as the store holds them. */
    const inBucket = () => {
        const dir = join(storeRoot, BUCKET, PREFIX, CRON_JOB);
        return existsSync(dir) ? readdirSync(dir).sort() : [];
    };
    const completeInBucket = () => inBucket().filter((name) => BACKUP_NAME.test(name) && existsSync(join(storeRoot, BUCKET, PREFIX, CRON_JOB, name, COMPLETE_MARKER)));

    it("uploads a verified backup to the bucket and restores every study from it into a fresh PostgreSQL, byte-identical", async () => {
        const first = await harness.database("s3-first");
        const root = join(harness.podsDir, "pod");
        const orthanc = await harness.orthancOn(first.port, first.password, root, "s3-backup-orthanc-first");
        const sent: SyntheticFile[] = [];
        for (let study = 0; study < 3; study++) sent.push(...writeCtStudy(join(work, `study-${study}`), { instances: 4, perSeries: 2, rows: 64, columns: 64 }));
        for (const file of sent) {
            const answer = await orthanc.request("/instances", { method: "POST", body: readFileSync(file.file) });
            assert.equal(answer.status, 200, answer.body.toString());
        }
        const studies = JSON.parse((await orthanc.request("/studies")).body.toString()).sort();
        assert.equal(studies.length, 3);
        const before = await harness.everyInstance(orthanc);
        assert.equal(before.size, sent.length);

        const { dump, upload } = await backupRun(first);
        assert.equal(dump.code, 0, dump.output);
        assert.equal(upload?.code, 0, upload?.output);
        const [made] = completeInBucket();
        assert.ok(made, upload!.output);
        assert.deepEqual(inBucket(), [made], "one complete backup, no incomplete upload left");
        assert.deepEqual(readdirSync(join(storeRoot, BUCKET, PREFIX, CRON_JOB, made)).sort(), [COMPLETE_MARKER, "orthanc.dump"]);
        assert.match(upload!.output, new RegExp(`backup ${made} uploaded`));
        await orthanc.stop();
        await first.stop();

        // Without a choice the restore pod's download step lists the complete backups and stops.
        const listing = await run("/bin/sh", scripts[DOWNLOAD_SCRIPT_FILE], moved(downloadEnv, pod().rcloneChanges));
        assert.equal(listing.code, 2, listing.output);
        assert.match(listing.stdout, new RegExp(`\\n${made}\\n`));

        // A new PostgreSQL, as after losing the database volume; the restore pod: download, then restore.sh.
        const fresh = await harness.database("s3-fresh");
        const restorePod = pod();
        const download = await run("/bin/sh", scripts[DOWNLOAD_SCRIPT_FILE], moved(downloadEnv, { ...restorePod.rcloneChanges, RESTORE_BACKUP: made }));
        assert.equal(download.code, 0, download.output);
        assert.deepEqual(restoreCommand, ["/bin/bash", `/etc/pacstack/backup/${RESTORE_SCRIPT_FILE}`, "$(RESTORE_BACKUP)"]);
        const restore = await run(
            "/bin/bash",
            scripts[RESTORE_SCRIPT_FILE],
            moved(restoreEnv, { ...harness.databaseEnv(fresh.port, fresh.password), BACKUP_DIR: restorePod.scratch, RESTORE_BACKUP: made }),
            [made], // what Kubernetes makes of $(RESTORE_BACKUP)
        );
        assert.equal(restore.code, 0, restore.output);
        const restoredRoot = join(harness.podsDir, "pod-restored");
        mkdirSync(join(restoredRoot, ORTHANC_MOUNTS.storage, ".."), { recursive: true });
        symlinkSync(insidePath(harness.tier, join(root, ORTHANC_MOUNTS.storage)), join(restoredRoot, ORTHANC_MOUNTS.storage));
        const restored = await harness.orthancOn(fresh.port, fresh.password, restoredRoot, "s3-backup-orthanc-restored");
        assert.deepEqual(JSON.parse((await restored.request("/studies")).body.toString()).sort(), studies);
        const after = await harness.everyInstance(restored);
        assert.deepEqual([...after.keys()], [...before.keys()]);
        for (const [id, bytes] of before) assert.ok(after.get(id)!.equals(bytes), `instance ${id} differs after the restore`);
        for (const file of sent) {
            const [found] = JSON.parse((await restored.request("/tools/lookup", { method: "POST", body: file.sopUid })).body.toString());
            const raw = await restored.request(`/instances/${found.ID}/frames/0/raw`);
            assert.ok(raw.body.equals(ctPixels(file)), file.sopUid);
        }
        await restored.stop();

        // A dump changed in the bucket is refused by the download's check against the marker's MD5s.
        writeFileSync(join(storeRoot, BUCKET, PREFIX, CRON_JOB, made, "orthanc.dump"), "not the dump");
        const tampered = await run("/bin/sh", scripts[DOWNLOAD_SCRIPT_FILE], moved(downloadEnv, { ...pod().rcloneChanges, RESTORE_BACKUP: made }));
        assert.notEqual(tampered.code, 0, tampered.output);
        // Names that are not complete backups are refused before anything is downloaded.
        for (const name of ["../etc", "20000101T000000Z"]) {
            const refused = await run("/bin/sh", scripts[DOWNLOAD_SCRIPT_FILE], moved(downloadEnv, { ...pod().rcloneChanges, RESTORE_BACKUP: name }));
            assert.notEqual(refused.code, 0, name);
        }
        rmSync(join(storeRoot, BUCKET, PREFIX, CRON_JOB), { recursive: true });
        await fresh.stop();
    });

    it("keeps the newest two in the bucket, prunes only after a success, and a failing upload fails without a complete-looking backup", async () => {
        const database = await harness.database("s3-retention");
        const made: string[] = [];
        const backupOnce = async () => {
            await new Promise((done) => setTimeout(done, 1100)); // one backup name per second
            const { dump, upload } = await backupRun(database);
            assert.equal(dump.code, 0, dump.output);
            assert.equal(upload?.code, 0, upload?.output);
            made.push(completeInBucket().at(-1)!);
        };
        await backupOnce();
        await backupOnce();
        assert.deepEqual(completeInBucket(), made);

        // Wrong keys: the upload fails, the Job would fail; nothing new, nothing pruned.
        const wrongKeys = await backupRun(database, { ...KEYS, secretAccessKey: "not-the-secret-key" });
        assert.equal(wrongKeys.dump.code, 0, wrongKeys.dump.output);
        assert.notEqual(wrongKeys.upload!.code, 0, wrongKeys.upload!.output);
        assert.deepEqual(inBucket(), made);
        // The store unreachable (stopped): likewise.
        await server!.stop();
        const unreachable = await backupRun(database);
        assert.notEqual(unreachable.upload!.code, 0, unreachable.upload!.output);
        await startServer(KEYS);
        assert.deepEqual(inBucket(), made);

        // What an interrupted run leaves: an incomplete upload, and a folder whose marker was never written. Neither
        // counts, neither can be restored, and the next run removes both.
        const bucketFolder = join(storeRoot, BUCKET, PREFIX, CRON_JOB);
        const markerless = "20000101T000000Z";
        for (const leftover of [`.incomplete-20000102T000000Z`, markerless]) {
            mkdirSync(join(bucketFolder, leftover));
            writeFileSync(join(bucketFolder, leftover, "orthanc.dump"), "partial");
        }
        const notComplete = await run("/bin/sh", scripts[DOWNLOAD_SCRIPT_FILE], moved(downloadEnv, { ...pod().rcloneChanges, RESTORE_BACKUP: markerless }));
        assert.equal(notComplete.code, 1, notComplete.output);
        assert.match(notComplete.output, /no complete backup 20000101T000000Z/);

        // A third success: only now the oldest goes, and the leftovers with it.
        await backupOnce();
        assert.deepEqual(inBucket(), made.slice(1));
        await database.stop();
    });
});
