import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BACKUP_NAME, renderBackupScript } from "../../components/backup/script";
import { BACKUP_SCRIPT_FILE, RESTORE_SCRIPT_FILE } from "../../components/backup/workload";
import { requireBinary } from "../harness/real/binaries";
import { BackupHarness, startBackupHarness } from "../harness/real/backup";
import { insidePath } from "../harness/real/orthanc-tiers";
import { ORTHANC_MOUNTS } from "../../components/orthanc/paths";
import { freePort, stopAllProcesses } from "../harness/real/processes";
import { ctPixels, SyntheticFile, writeCtStudy } from "../harness/real/synthetic";
import { runTool, ToolResult } from "../harness/real/tools";
import { one, planStack } from "../harness/plan-runner";

/** The backup container of the dev plan: its scripts (ConfigMap) and its environment (CronJob), as rendered. */
async function plannedBackup(): Promise<{ scripts: Record<string, string>; env: Record<string, string> }> {
    const plan = await planStack("dev");
    assert.equal(plan.code, 0, plan.stderr);
    const scripts = (one(plan, "kubernetes:core/v1:ConfigMap", "pacstack-postgresql-backup-scripts").inputs as any).data;
    const cronJob = one(plan, "kubernetes:batch/v1:CronJob", "pacstack-postgresql-backup").inputs as any;
    const [container] = cronJob.spec.jobTemplate.spec.template.spec.containers;
    return { scripts, env: Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value])) };
}

/**
 * Backups and restore with the real software: Orthanc stores studies on a PostgreSQL started with pacstack's chart
 * settings and pg_hba.conf, the backup script of the dev plan runs as rendered against it (only the port, the CA,
 * the password file and the backup folder moved to loopback paths; PGHOSTADDR sends the Service's name to
 * 127.0.0.1 so that verify-full still checks it), the restore script restores into a fresh PostgreSQL, and an
 * Orthanc on that database and the same storage folder serves every instance byte for byte as before.
 */
describe("backup and restore of the Orthanc index (real PostgreSQL, pg_dump, Orthanc 1.10.1)", function () {
    this.timeout(120_000);
    let work: string;
    let harness: BackupHarness;
    let planned: { scripts: Record<string, string>; env: Record<string, string> };
    let backups: string;

    before(async function () {
        this.timeout(10 * 60_000);
        ["openssl", "runuser", "bash", "find"].forEach((tool) => requireBinary(tool));
        work = mkdtempSync(join(tmpdir(), "pacstack-backup-"));
        harness = await startBackupHarness(work, "volume");
        planned = await plannedBackup();
        backups = join(work, "backups");
        mkdirSync(backups);
    });

    after(async function () {
        await stopAllProcesses();
        harness?.cleanup();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    /** The rendered environment with only addresses and paths changed, as the CronJob's pod would have it. */
    function podEnv(port: number, password: string, target = backups): NodeJS.ProcessEnv {
        const { PGHOSTADDR, ...moved }: Record<string, string> = { ...harness.databaseEnv(port, password), BACKUP_DIR: target };
        for (const key of Object.keys(moved)) assert.ok(key in planned.env, `${key} is not in the rendered environment`);
        return { ...planned.env, ...moved, PGHOSTADDR, PATH: harness.path, LANG: "C" };
    }

    const run = (script: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<ToolResult> => {
        const file = join(work, `script-${randomBytes(4).toString("hex")}.sh`);
        writeFileSync(file, script);
        return runTool("/bin/bash", [file, ...args], { env, cwd: "/", timeoutMs: 60_000 });
    };
    const completeBackups = (dir = backups) => readdirSync(dir).filter((name) => BACKUP_NAME.test(name)).sort();

    it("restores every study into a fresh PostgreSQL, byte-identical, with the rendered scripts", async () => {
        const first = await harness.database("postgres-first");
        const root = join(harness.podsDir, "pod");
        const orthanc = await harness.orthancOn(first.port, first.password, root, "backup-orthanc-first");
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

        const backup = await run(planned.scripts[BACKUP_SCRIPT_FILE], podEnv(first.port, first.password));
        assert.equal(backup.code, 0, backup.output);
        const [made] = completeBackups();
        assert.ok(made, backup.output);
        assert.ok(existsSync(join(backups, made, "orthanc.dump")));
        // The dump was taken over TLS, checked against the Service's name (verify-full, no fallback to plain).
        assert.match(backup.output, /dumped orthanc: \d+ bytes/);
        assert.match(backup.output, new RegExp(`backup ${made} complete`));
        await orthanc.stop();
        await first.stop();

        // A new PostgreSQL, as after losing the database volume: the chart creates the role and an empty database.
        const fresh = await harness.database("postgres-fresh");
        const restore = await run(planned.scripts[RESTORE_SCRIPT_FILE], podEnv(fresh.port, fresh.password), [made]);
        assert.equal(restore.code, 0, restore.output);
        // A new pod on the same storage volume (its mount is the first pod's folder).
        const restoredRoot = join(harness.podsDir, "pod-restored");
        mkdirSync(join(restoredRoot, ORTHANC_MOUNTS.storage, ".."), { recursive: true });
        symlinkSync(insidePath(harness.tier, join(root, ORTHANC_MOUNTS.storage)), join(restoredRoot, ORTHANC_MOUNTS.storage));
        const restored = await harness.orthancOn(fresh.port, fresh.password, restoredRoot, "backup-orthanc-restored");
        assert.deepEqual(JSON.parse((await restored.request("/studies")).body.toString()).sort(), studies);
        const after = await harness.everyInstance(restored);
        assert.deepEqual([...after.keys()], [...before.keys()]);
        for (const [id, bytes] of before) assert.ok(after.get(id)!.equals(bytes), `instance ${id} differs after the restore`);
        // And the pixels are still the ones sent.
        for (const file of sent) {
            const [found] = JSON.parse((await restored.request("/tools/lookup", { method: "POST", body: file.sopUid })).body.toString());
            const raw = await restored.request(`/instances/${found.ID}/frames/0/raw`);
            assert.ok(raw.body.equals(ctPixels(file)), file.sopUid);
        }
        await restored.stop();

        // The restore script refuses a name that is not a backup, and a backup that is not there.
        assert.equal((await run(planned.scripts[RESTORE_SCRIPT_FILE], podEnv(fresh.port, fresh.password), ["../etc"])).code, 2);
        assert.notEqual((await run(planned.scripts[RESTORE_SCRIPT_FILE], podEnv(fresh.port, fresh.password), ["20000101T000000Z"])).code, 0);
    });

    it("a failing backup exits non-zero and leaves no partial backup; retention prunes only after a success", async () => {
        const server = await harness.database("postgres-failures");
        const { password } = server;
        const target = join(work, "failing");
        mkdirSync(target);
        const good = await run(planned.scripts[BACKUP_SCRIPT_FILE], podEnv(server.port, password, target));
        assert.equal(good.code, 0, good.output);
        const [kept] = completeBackups(target);

        const wrongPassword = await run(planned.scripts[BACKUP_SCRIPT_FILE], podEnv(server.port, "not-the-password", target));
        assert.notEqual(wrongPassword.code, 0);
        assert.match(wrongPassword.output, /password authentication failed/);
        const unreachable = await run(planned.scripts[BACKUP_SCRIPT_FILE], podEnv(await freePort(), password, target));
        assert.notEqual(unreachable.code, 0);
        // The second database fails after the first was dumped: the half-written backup goes too.
        const halfway = await run(renderBackupScript({ databases: ["orthanc", "missing"], retention: 1 }), podEnv(server.port, password, target));
        assert.notEqual(halfway.code, 0);
        assert.match(halfway.output, /dumped orthanc/);
        assert.deepEqual(readdirSync(target), [kept], "only the good backup, no incomplete folder, nothing pruned by failures");

        // Retention 2: three more successful runs leave the newest two; an interrupted run's leftover is removed.
        mkdirSync(join(target, ".incomplete-20000101T000000Z"));
        const made: string[] = [];
        for (let i = 0; i < 3; i++) {
            await new Promise((done) => setTimeout(done, 1100)); // one backup folder per second
            const result = await run(renderBackupScript({ databases: ["orthanc"], retention: 2 }), podEnv(server.port, password, target));
            assert.equal(result.code, 0, result.output);
            made.push(completeBackups(target).at(-1)!);
        }
        assert.deepEqual(readdirSync(target).sort(), made.slice(1));
    });
});
