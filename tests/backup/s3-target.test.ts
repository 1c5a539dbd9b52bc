import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { COMPLETE_MARKER, renderDownloadScript, renderUploadScript } from "../../components/backup/s3-scripts";
import { renderRcloneEnv, renderS3BackupCronJob, renderS3RestoreCronJob, s3Remote, S3_CREDENTIALS_MOUNT, S3WorkloadInput } from "../../components/backup/s3-workload";
import { BackupWorkloadInput } from "../../components/backup/workload";
import { DEFAULT_RCLONE_IMAGE } from "../../components/config/backup-target";
import { validatePlatformConfig } from "../../components/config/validate";
import { problemsOf, valid } from "../config/problems";
import { REPO_ROOT } from "../harness/stack-config";

const S3 = { endpoint: "https://objects.hospital.example", bucket: "pacs-backups", accessKeyId: "AKIAEXAMPLEKEY", secretAccessKey: "very-secret/KEY+value" };
const withS3 = (s3: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...valid, backup: { target: "s3", s3, ...extra } });

describe("backup to S3: the upload and download scripts", () => {
    const upload = renderUploadScript(3);
    const download = renderDownloadScript();

    it("are POSIX sh that stop at the first failure and read the keys from the mounted Secret, for rclone only", () => {
        for (const text of [upload, download]) {
            assert.match(text, /^#!\/bin\/sh\n/);
            assert.match(text, /\nset -eu\n/);
            assert.match(text, /RCLONE_CONFIG_TARGET_SECRET_ACCESS_KEY="\$\(cat "\$credentials\/secret-access-key"\)"/);
            assert.match(text, /RCLONE_CONFIG_TARGET_ACCESS_KEY_ID="\$\(cat "\$credentials\/access-key-id"\)"/);
            assert.doesNotMatch(text, /\bpipefail\b|\[\[|\$\{[a-z]+\/\//, "no bashisms: busybox ash runs them");
            // A listing that fails for any reason but "not found yet" (exit 3) ends the script.
            assert.match(text, /rclone lsf "\$@" \|\| \{ status=\$\?; \[ "\$status" -eq 3 \] \|\| exit "\$status"; \}/);
        }
    });

    it("upload: incomplete folder, checked, moved, checked again, marker last, and only then retention (marker first)", () => {
        const order = [
            'rclone md5sum "$scratch/$stamp" > "$scratch/$marker"',
            'rclone copy "$scratch/$stamp" "$remote/.incomplete-$stamp"',
            'rclone check --one-way "$scratch/$stamp" "$remote/.incomplete-$stamp"',
            'rclone moveto "$remote/.incomplete-$stamp" "$remote/$stamp"',
            'rclone check "$scratch/$stamp" "$remote/$stamp"',
            'rclone copyto "$scratch/$marker" "$remote/$stamp/$marker"',
            "tail -n +$((retention + 1))",
            'rclone deletefile "$remote/$name/$marker"',
            'rclone purge "$remote/$name"\n  echo "removed backup $name"',
        ];
        let at = -1;
        for (const step of order) {
            const next = upload.indexOf(step, at + 1);
            assert.ok(next > at, `${step} comes after the step before it`);
            at = next;
        }
        assert.match(upload, /\nretention=3\n/);
        assert.match(upload, new RegExp(`\nmarker=${COMPLETE_MARKER.replace(".", "\\.")}\n`));
        assert.throws(() => renderUploadScript(0), /at least 1/);
    });

    it("download: only a complete backup, checked against its marker's MD5s; without a name it lists them", () => {
        assert.match(download, /printf '%s\\n' "\$complete" \| grep -qxF "\$backup" \|\| \{ echo "no complete backup/);
        assert.ok(download.indexOf('rclone md5sum --checkfile "$scratch/$marker" "$scratch/$backup"') > download.indexOf('rclone copy --exclude "/$marker"'));
        assert.match(download, /if \[ -z "\$backup" \]; then[\s\S]*exit 2\nfi/);
    });
});

describe("backup to S3: the pods", () => {
    const input: BackupWorkloadInput = {
        name: "pacstack-postgresql-backup",
        namespace: "pacstack",
        image: "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4",
        uid: 1001,
        schedule: "30 1 * * *",
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        database: { host: "db.pacstack.svc.cluster.local", port: 5432, username: "orthanc", passwordSecret: { name: "db", key: "password" } },
        tlsSecretName: "pacstack-database-tls",
        scriptsConfigMap: "pacstack-postgresql-backup-scripts",
        scripts: { "backup.sh": "x" },
        claimName: "pacstack-postgresql-backup",
        storage: { size: "20Gi", storageClass: "fast" },
    };
    const s3: S3WorkloadInput = {
        endpoint: "https://objects.hospital.example",
        bucket: "pacs-backups",
        prefix: "site-a",
        region: "eu-central-1",
        pathStyle: false,
        hasCaBundle: true,
        image: DEFAULT_RCLONE_IMAGE,
        secretName: "pacstack-postgresql-backup-s3",
        scratchSize: "20Gi",
    };

    it("backup: the dump runs first into a scratch claim of the storage class, then rclone uploads", () => {
        const pod = renderS3BackupCronJob(input, s3).spec.jobTemplate.spec.template.spec as any;
        assert.deepEqual(pod.initContainers.map((c: any) => [c.name, c.image, c.command.at(-1)]), [["dump", input.image, "/etc/pacstack/backup/backup.sh"]]);
        assert.deepEqual(pod.containers.map((c: any) => [c.name, c.image, c.command.at(-1)]), [["upload", DEFAULT_RCLONE_IMAGE, "/etc/pacstack/backup/upload.sh"]]);
        const scratch = pod.volumes.find((v: any) => v.name === "target");
        assert.deepEqual(scratch.ephemeral.volumeClaimTemplate.spec, { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } }, storageClassName: "fast" });
        assert.ok(!JSON.stringify(pod).includes("persistentVolumeClaim"), "no kept claim with a bucket");
        const credentials = pod.volumes.find((v: any) => v.name === "s3-credentials");
        assert.equal(credentials.secret.secretName, s3.secretName);
        assert.deepEqual(pod.containers[0].volumeMounts.find((m: any) => m.name === "s3-credentials"), { mountPath: S3_CREDENTIALS_MOUNT, name: "s3-credentials", readOnly: true });
        assert.ok(!pod.initContainers[0].volumeMounts.some((m: any) => m.name === "s3-credentials"), "the database's image never sees the bucket's keys");
    });

    it("rclone's environment names the bucket, never the keys", () => {
        const env = Object.fromEntries(renderRcloneEnv(input.name, s3).map((e) => [e.name, e.value]));
        assert.equal(env.BACKUP_REMOTE, "target:pacs-backups/site-a/pacstack-postgresql-backup");
        assert.equal(s3Remote({ bucket: "b", prefix: "" }, "n"), "target:b/n");
        assert.equal(env.RCLONE_CONFIG_TARGET_ENDPOINT, "https://objects.hospital.example");
        assert.equal(env.RCLONE_CONFIG_TARGET_FORCE_PATH_STYLE, "false");
        assert.equal(env.RCLONE_CONFIG_TARGET_REGION, "eu-central-1");
        assert.equal(env.RCLONE_CONFIG_TARGET_ENV_AUTH, "false");
        assert.equal(env.RCLONE_CA_CERT, "/etc/pacstack/backup/s3-ca.crt");
        assert.ok(!Object.keys(env).some((name) => /ACCESS_KEY|SECRET/.test(name)));
        assert.ok(!("RCLONE_CA_CERT" in Object.fromEntries(renderRcloneEnv(input.name, { ...s3, hasCaBundle: false }).map((e) => [e.name, e.value]))));
    });

    it("restore: a suspended CronJob whose download step runs before restore.sh, on the backup RESTORE_BACKUP names", () => {
        const restore = renderS3RestoreCronJob(input, s3) as any;
        assert.equal(restore.metadata.name, "pacstack-postgresql-backup-restore");
        assert.equal(restore.spec.suspend, true);
        assert.equal(restore.spec.jobTemplate.spec.backoffLimit, 0);
        assert.equal(restore.spec.jobTemplate.spec.template.spec.serviceAccountName, "pacstack-postgresql-backup-restore");
        const pod = restore.spec.jobTemplate.spec.template.spec;
        assert.deepEqual(pod.initContainers.map((c: any) => [c.name, c.image, c.command.at(-1)]), [["download", DEFAULT_RCLONE_IMAGE, "/etc/pacstack/backup/download.sh"]]);
        assert.deepEqual(pod.containers[0].command, ["/bin/bash", "/etc/pacstack/backup/restore.sh", "$(RESTORE_BACKUP)"]);
        for (const container of [...pod.initContainers, ...pod.containers]) {
            assert.deepEqual(container.env.find((e: any) => e.name === "RESTORE_BACKUP"), { name: "RESTORE_BACKUP", value: "" });
        }
    });
});

describe("backup to S3: settings", () => {
    it("default: the kept volume; s3 with its defaults", () => {
        assert.deepEqual(validatePlatformConfig(valid).backup.target, { kind: "volume" });
        const target = validatePlatformConfig(withS3(S3)).backup.target;
        assert.deepEqual(target, {
            kind: "s3",
            endpoint: "https://objects.hospital.example",
            bucket: "pacs-backups",
            prefix: "",
            region: "us-east-1",
            pathStyle: true,
            accessKeyId: S3.accessKeyId,
            secretAccessKey: S3.secretAccessKey,
            image: { registry: "docker.io", repository: "rclone/rclone", tag: "1.76.0" },
        });
        const tuned = validatePlatformConfig(withS3({ ...S3, endpoint: "http://minio.backup.svc:9000", allowHttp: "true", prefix: "pacs/site-a", region: "eu-west-3", pathStyle: "false" })).backup.target;
        assert.deepEqual([tuned.kind === "s3" && tuned.endpoint, tuned.kind === "s3" && tuned.prefix, tuned.kind === "s3" && tuned.pathStyle], ["http://minio.backup.svc:9000", "pacs/site-a", false]);
    });

    it("the uploader image is the rclone version the tests build", () => {
        const goMod = readFileSync(join(REPO_ROOT, "tests/tools/rclone/go.mod"), "utf8");
        const version = /\n\tgithub\.com\/rclone\/rclone (v[0-9.]+)/.exec(goMod)?.[1];
        assert.equal(`v${DEFAULT_RCLONE_IMAGE.split(":").at(-1)}`, version);
    });

    it("names the key, the value and what is allowed, once each, and never shows a key", () => {
        const cases: [Record<string, unknown>, RegExp][] = [
            [withS3({ ...S3, bucket: undefined }), /^pacstack:backup\.s3\.bucket is missing: required with backup\.target s3/],
            [withS3({ ...S3, endpoint: undefined }), /^pacstack:backup\.s3\.endpoint is missing/],
            [withS3({ ...S3, accessKeyId: undefined }), /^pacstack:backup\.s3\.accessKeyId is missing: .*--secret/],
            [withS3({ ...S3, bucket: "Pacs_Backups" }), /^pacstack:backup\.s3\.bucket = "Pacs_Backups": must be an S3 bucket name/],
            [withS3({ ...S3, endpoint: "http://objects.hospital.example" }), /^pacstack:backup\.s3\.endpoint = "http:\/\/objects\.hospital\.example": is plain http: .*allowHttp/],
            [withS3({ ...S3, endpoint: "ftp://objects.hospital.example" }), /^pacstack:backup\.s3\.endpoint = "ftp:.*must be an https:\/\/ URL/],
            [withS3({ ...S3, endpoint: "https://user:pw@objects.hospital.example" }), /^pacstack:backup\.s3\.endpoint = .*must not carry credentials/],
            [withS3({ ...S3, endpoint: "https://objects.hospital.example/pacs-backups" }), /^pacstack:backup\.s3\.endpoint = .*without a path/],
            [withS3({ ...S3, prefix: "/site-a/" }), /^pacstack:backup\.s3\.prefix = "\/site-a\/": must be empty or a folder path/],
            [withS3({ ...S3, prefix: "site-a/../other" }), /^pacstack:backup\.s3\.prefix = /],
            [withS3({ ...S3, region: "EU Central" }), /^pacstack:backup\.s3\.region = "EU Central": must be a region name/],
            [withS3({ ...S3, pathStyle: "yes" }), /^pacstack:backup\.s3\.pathStyle = "yes": must be true or false/],
            [withS3({ ...S3, caBundle: "not a certificate" }), /^pacstack:backup\.s3\.caBundle = "not a certificate": must be PEM certificates/],
            [withS3({ ...S3, image: "docker.io/rclone/rclone:latest" }), /^pacstack:backup\.s3\.image = .*latest is refused/],
            [withS3({ ...S3, secretAccessKey: "with space" }), /^pacstack:backup\.s3\.secretAccessKey = "\[secret\]": must be 1-256 printable characters/],
            [withS3({ ...S3, secretAcessKey: "typo-secret" }), /^pacstack:backup\.s3\.secretAcessKey: unknown field; allowed fields are endpoint, bucket/],
            [{ ...valid, backup: { target: "bucket" } }, /^pacstack:backup\.target = "bucket": must be one of volume, s3$/],
            [{ ...valid, backup: { s3: S3 } }, /^pacstack:backup\.s3 is set but pacstack:backup\.target = "volume": set backup\.target to s3/],
        ];
        for (const [settings, expected] of cases) {
            const problems = problemsOf(settings);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], expected);
            assert.ok(!problems[0].includes("very-secret") && !problems[0].includes("typo-secret") && !problems[0].includes("with space"), problems[0]);
        }
        // The whole group shown (not an object): the keys are hidden there too.
        const whole = problemsOf({ ...valid, backup: JSON.stringify([{ s3: S3 }]) });
        assert.ok(!whole.join("\n").includes("very-secret"), whole.join("\n"));
    });
});
