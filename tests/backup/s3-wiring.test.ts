import assert from "node:assert/strict";
import { renderDownloadScript, renderUploadScript } from "../../components/backup/s3-scripts";
import { renderBackupScript, renderRestoreScript } from "../../components/backup/script";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";
import { VARIANTS } from "../harness/variants";

const K = {
    cronJob: "kubernetes:batch/v1:CronJob",
    claim: "kubernetes:core/v1:PersistentVolumeClaim",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;
const S3_VARIANT = VARIANTS.find((v) => v.label.startsWith("backups to an S3 bucket"))!;

/** Under mocks: each PostgreSQL's backups go to its own folder of the bucket, the keys only in a Secret. */
function checkS3Backup(plan: PlanResult, name: string, database: string, secretValues: string[]) {
    const secret = inputs(one(plan, K.secret, `${name}-s3`));
    assert.deepEqual(secret.stringData, { "access-key-id": "[secret]", "secret-access-key": "[secret]" }, "the keys are secret outputs");
    for (const value of secretValues) assert.ok(!plan.text.includes(value), "no key in any resource's plain inputs");
    for (const configMap of byType(plan, K.configMap)) assert.ok(!JSON.stringify(configMap.inputs).includes("[secret]"), `${configMap.name}: nothing secret in a ConfigMap`);
    const scripts = inputs(one(plan, K.configMap, `${name}-scripts`)).data;
    assert.equal(scripts["upload.sh"], renderUploadScript(7));
    assert.equal(scripts["download.sh"], renderDownloadScript());
    assert.equal(scripts["backup.sh"], renderBackupScript({ databases: [database], retention: 1 }), "one backup in the scratch volume");
    assert.equal(scripts["restore.sh"], renderRestoreScript({ databases: [database], retention: 7 }));
    for (const cronJobName of [name, `${name}-restore`]) {
        const pod = inputs(one(plan, K.cronJob, cronJobName)).spec.jobTemplate.spec.template.spec;
        for (const container of [...pod.initContainers, ...pod.containers]) {
            for (const variable of container.env) assert.ok(!("valueFrom" in variable) && !/KEY|SECRET/.test(variable.name), `${cronJobName}/${container.name}: ${variable.name}`);
        }
        assert.equal(pod.volumes.find((v: any) => v.name === "s3-credentials").secret.secretName, `${name}-s3`);
        const rclone = [...pod.initContainers, ...pod.containers].find((c: any) => c.image.startsWith("docker.io/rclone/rclone:"));
        assert.ok(rclone.volumeMounts.some((m: any) => m.name === "s3-credentials"), "rclone reads the keys from the mounted Secret");
        const env = Object.fromEntries(rclone.env.map((e: any) => [e.name, e.value]));
        assert.equal(env.BACKUP_REMOTE, `target:pacs-backups/site-a/${name}`);
    }
    assert.equal(inputs(one(plan, K.cronJob, `${name}-restore`)).spec.suspend, true);
    assert.ok(!plan.resources.some((r) => r.type === K.claim && r.name === name), "no backup volume with a bucket");
    const egress = byType(plan, K.policy).map(inputs).find((p) => p.metadata.name === `${name}-to-s3`);
    assert.deepEqual(egress.spec.egress, [{ ports: [{ port: 9443, protocol: "TCP" }] }], "the store's port only");
    assert.equal(egress.spec.podSelector.matchLabels["app.kubernetes.io/instance"], name);
}

describe("backup to S3: wiring under mocks", function () {
    this.timeout(120_000);

    it("both databases upload to their own folder of the bucket; the keys only in Secrets", async () => {
        const plan = await planStack(S3_VARIANT.stack, S3_VARIANT.overrides);
        assert.equal(plan.code, 0, plan.stderr);
        const { accessKeyId, secretAccessKey } = JSON.parse(String(S3_VARIANT.overrides["backup.s3"]));
        checkS3Backup(plan, "pacstack-postgresql-backup", "orthanc", [accessKeyId, secretAccessKey]);
        checkS3Backup(plan, "pacstack-dcm4chee-db-backup", "pacsdb", [accessKeyId, secretAccessKey]);
        assert.ok(!JSON.stringify(plan.outputs).includes(secretAccessKey));
    });

    it("a bad bucket setting stops the plan with one line naming it, and nothing is registered", async () => {
        const bad = await planStack("dev", { "backup.target": "s3", "backup.s3": JSON.stringify({ endpoint: "http://objects.hospital.example", bucket: "b", accessKeyId: "a", secretAccessKey: "hidden-value" }) });
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /pacstack:backup\.s3\.endpoint = "http:\/\/objects\.hospital\.example": is plain http/);
        assert.match(bad.stderr, /pacstack:backup\.s3\.bucket = "b": must be an S3 bucket name/);
        assert.ok(!bad.stderr.includes("hidden-value"));
        assert.deepEqual(bad.resources, []);
    });
});
