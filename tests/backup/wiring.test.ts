import assert from "node:assert/strict";
import { BACKUP_SCRIPT_FILE, RESTORE_SCRIPT_FILE } from "../../components/backup/workload";
import { renderBackupScript, renderRestoreScript } from "../../components/backup/script";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";
import { VARIANTS } from "../harness/variants";

const K = {
    cronJob: "kubernetes:batch/v1:CronJob",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    configMap: "kubernetes:core/v1:ConfigMap",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;
const variant = (label: string) => VARIANTS.find((v) => v.label.startsWith(label))!;
const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

/** What each PostgreSQL of a plan gets backed up as: [CronJob, database Service host, role, database, Secret, key, uid, image]. */
const EXPECTED = {
    shared: ["pacstack-postgresql-backup", "pacstack-postgresql.pacstack.svc.cluster.local", "orthanc", "orthanc", "pacstack-postgresql-credentials", "password", 1001],
    dcm4chee: ["pacstack-dcm4chee-db-backup", "pacstack-dcm4chee-db.pacstack.svc.cluster.local", "pacs", "pacsdb", "pacstack-dcm4chee-credentials", "database-password", 999],
} as const;

function checkBackup(plan: PlanResult, expected: (typeof EXPECTED)[keyof typeof EXPECTED], databaseImage: string, size: string) {
    const [name, host, role, database, secret, key, uid] = expected;
    const cronJob = inputs(one(plan, K.cronJob, name));
    assert.equal(cronJob.spec.schedule, "30 1 * * *");
    assert.equal(cronJob.spec.timeZone, "Etc/UTC");
    assert.equal(cronJob.spec.concurrencyPolicy, "Forbid", "a slow backup is never overlapped");
    assert.ok(cronJob.spec.failedJobsHistoryLimit >= 1, "a failed run stays visible");
    const job = cronJob.spec.jobTemplate.spec;
    assert.equal(job.backoffLimit, 2);
    assert.ok(job.activeDeadlineSeconds > 0);
    const pod = job.template.spec;
    assert.equal(pod.restartPolicy, "Never");
    assert.equal(pod.securityContext.runAsUser, uid);
    const [container] = pod.containers;
    assert.equal(container.image, databaseImage, "the database's own image: pg_dump of the server's version");
    assert.deepEqual(container.command, ["/bin/bash", `/etc/pacstack/backup/${BACKUP_SCRIPT_FILE}`]);
    assert.deepEqual(envOf(container), {
        BACKUP_DIR: "/backup",
        PGCONNECT_TIMEOUT: "30",
        PGHOST: host,
        PGPASSWORD_FILE: "/run/secrets/pacstack/password",
        PGPORT: "5432",
        PGSSLMODE: "verify-full",
        PGSSLROOTCERT: "/etc/pacstack/backup-tls/ca.crt",
        PGUSER: role,
    });
    const volume = (volumeName: string) => pod.volumes.find((v: any) => v.name === volumeName);
    assert.deepEqual(volume("password").secret.items, [{ key, path: "password" }]);
    assert.equal(volume("password").secret.secretName, secret);
    assert.equal(volume("target").persistentVolumeClaim.claimName, name);
    const scripts = inputs(one(plan, K.configMap, `${name}-scripts`)).data;
    assert.equal(scripts[BACKUP_SCRIPT_FILE], renderBackupScript({ databases: [database], retention: 7 }));
    assert.equal(scripts[RESTORE_SCRIPT_FILE], renderRestoreScript({ databases: [database], retention: 7 }));
    assert.equal(inputs(one(plan, K.claim, name)).spec.resources.requests.storage, size);
    assert.ok(plan.keptOnDestroy.some((k) => k.type === K.claim && k.name === name && k.provider === "pacstack-kubernetes-adopt"), "the backups outlive destroy and are adopted again");
    // Egress from the backup pods only to that database's pods on 5432, and the database admits them.
    const policies = byType(plan, K.policy).map(inputs).filter((p) => p.metadata.name.startsWith(`${name}-`));
    assert.equal(policies.length, 2);
    const egress = policies.find((p) => p.spec.policyTypes[0] === "Egress");
    assert.equal(egress.spec.podSelector.matchLabels["app.kubernetes.io/instance"], name);
    assert.deepEqual(egress.spec.egress.map((r: any) => r.ports), [[{ port: 5432, protocol: "TCP" }]]);
    const ingress = policies.find((p) => p.spec.policyTypes[0] === "Ingress");
    assert.equal(ingress.spec.ingress[0].from[0].podSelector.matchLabels["app.kubernetes.io/instance"], name);
}

describe("backup: every PostgreSQL is backed up, in every stack", function () {
    this.timeout(120_000);

    it("the shared PostgreSQL (stack dev)", async () => {
        const plan = await planStack("dev");
        assert.equal(plan.code, 0, plan.stderr);
        checkBackup(plan, EXPECTED.shared, "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4", "5Gi");
        assert.equal(byType(plan, K.cronJob).length, 1);
    });

    it("both databases with both archives (stack prod: each database volume's size)", async () => {
        const both = variant("Orthanc and dcm4chee");
        const plan = await planStack(both.stack, both.overrides);
        assert.equal(plan.code, 0, plan.stderr);
        checkBackup(plan, EXPECTED.shared, "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4", "100Gi");
        checkBackup(plan, EXPECTED.dcm4chee, "docker.io/dcm4che/postgres-dcm4chee:17.4-34", "50Gi");
    });

    it("follows the settings, and none when turned off", async () => {
        const tuned = await planStack("dev", { "backup.schedule": "0 */6 * * *", "backup.retention": 30, "backup.storageSize": "40Gi" });
        assert.equal(tuned.code, 0, tuned.stderr);
        const cronJob = inputs(one(tuned, K.cronJob, "pacstack-postgresql-backup"));
        assert.equal(cronJob.spec.schedule, "0 */6 * * *");
        assert.match(inputs(one(tuned, K.configMap, "pacstack-postgresql-backup-scripts")).data[BACKUP_SCRIPT_FILE], /\nretention=30\n/);
        assert.equal(inputs(one(tuned, K.claim, "pacstack-postgresql-backup")).spec.resources.requests.storage, "40Gi");
        const off = await planStack("dev", { archives: '["orthanc","dcm4chee"]', "backup.enabled": "false" });
        assert.equal(off.code, 0, off.stderr);
        assert.deepEqual(byType(off, K.cronJob), []);
        assert.ok(!off.resources.some((r) => r.name.includes("backup")));
    });

    it("a bad setting stops the plan with one line naming it", async () => {
        const bad = await planStack("dev", { "backup.schedule": "every night" });
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /pacstack:backup\.schedule = "every night": must be a cron schedule/);
    });
});
