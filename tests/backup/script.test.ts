import assert from "node:assert/strict";
import { isCronSchedule, renderBackupScript, renderRestoreScript } from "../../components/backup/script";
import { problemsOf, valid } from "../config/problems";
import { validatePlatformConfig } from "../../components/config/validate";

describe("backup: rendered scripts", () => {
    const script = renderBackupScript({ databases: ["orthanc", "pacsdb"], retention: 5 });
    const restore = renderRestoreScript({ databases: ["orthanc", "pacsdb"], retention: 5 });

    it("fail loudly: errexit, nounset, pipefail, and the password only from the mounted file", () => {
        for (const text of [script, restore]) {
            assert.match(text, /^#!\/bin\/bash\n/);
            assert.match(text, /\nset -euo pipefail\n/);
            assert.match(text, /PGPASSWORD="\$\(< "\$\{PGPASSWORD_FILE:\?PGPASSWORD_FILE is not set\}"\)"\nexport PGPASSWORD\n/);
            assert.doesNotMatch(text, /PGPASSWORD=[^"]/);
        }
    });

    it("dumps each database in custom format into an incomplete folder, then renames it", () => {
        assert.match(script, /for database in orthanc pacsdb; do\n  pg_dump --format=custom --no-password --dbname="\$database" --file="\$work\/\$database.dump"\n  pg_restore --list/);
        assert.ok(script.indexOf('mv -T "$work" "$target/$stamp"') > script.indexOf("pg_dump"), "renamed only after every dump");
        assert.match(script, /trap 'rm -rf "\$work"' EXIT/);
        assert.match(script, /\nretention=5\n/);
        assert.ok(script.indexOf("tail -n +$((retention + 1))") > script.indexOf("mv -T"), "old backups are pruned only after a success");
    });

    it("restores every database in one transaction each, stopping at the first error", () => {
        assert.match(restore, /pg_restore --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction --no-password/);
        assert.match(restore, /for database in orthanc pacsdb; do/);
    });

    it("refuses database names that would need quoting, and a retention below 1", () => {
        assert.throws(() => renderBackupScript({ databases: ["orthanc; rm -rf /"], retention: 1 }), /lowercase identifiers/);
        assert.throws(() => renderBackupScript({ databases: [], retention: 1 }), /lowercase identifiers/);
        assert.throws(() => renderRestoreScript({ databases: ["orthanc"], retention: 0 }), /at least 1/);
    });
});

describe("backup: schedule and retention settings", () => {
    it("accepts the schedules Kubernetes accepts", () => {
        for (const schedule of ["30 1 * * *", "*/15 * * * *", "0 2 * * 1-5", "0 0 1,15 * *", "0 3 * JAN-MAR SUN", "0 4 ? * MON", "@daily", "@hourly", " 5 4 * * * "]) {
            assert.ok(isCronSchedule(schedule), schedule);
        }
    });

    it("refuses anything else", () => {
        for (const schedule of ["", "daily", "* * * *", "* * * * * *", "60 * * * *", "0 24 * * *", "0 0 0 * *", "0 0 * 13 *", "0 0 * * 7", "*/0 * * * *", "5-1 * * * *", "TZ=UTC 0 0 * * *", "@reboot", "0 0 * * * ; rm"]) {
            assert.ok(!isCronSchedule(schedule), schedule);
        }
    });

    it("defaults: on, 01:30 UTC daily, seven backups, the database volume's size", () => {
        assert.deepEqual(validatePlatformConfig(valid).backup, { enabled: true, schedule: "30 1 * * *", retention: 7, storageSize: undefined, target: { kind: "volume" } });
    });

    it("names the key, the value and what is allowed, once each", () => {
        const cases: [Record<string, unknown>, string, RegExp][] = [
            [{ schedule: "61 * * * *" }, "backup.schedule", /cron schedule of five fields/],
            [{ retention: 0 }, "backup.retention", /from 1 to 1000/],
            [{ retention: "3" }, "", /./],
            [{ storageSize: "10GB" }, "backup.storageSize", /size like 20Gi/],
            [{ enabled: "yes" }, "backup.enabled", /must be a boolean/],
        ];
        for (const [backup, key, allowed] of cases) {
            if (!key) {
                assert.equal(validatePlatformConfig({ ...valid, backup }).backup.retention, 3, "a stack file's string is read as the integer");
                continue;
            }
            const problems = problemsOf({ ...valid, backup });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], new RegExp(`^pacstack:${key.replace(".", "\\.")} = `));
            assert.match(problems[0], allowed);
        }
        assert.match(problemsOf({ ...valid, backup: { retension: 3 } })[0], /unknown field.*retention/);
    });
});
