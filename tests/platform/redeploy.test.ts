import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PlanResult, one, planStack } from "../harness/plan-runner";

const SECRET = "kubernetes:core/v1:Secret";
const BOTH = { archives: '["orthanc","dcm4chee"]' };
/** The credential Secrets whose values kept volumes know, and what reads each key. */
const CREDENTIALS = ["pacstack/pacstack-postgresql-credentials", "pacstack/pacstack-dcm4chee-credentials", "pacstack/pacstack-keycloak"];

function writeKept(plan: PlanResult): string {
    const file = join(mkdtempSync(join(tmpdir(), "pacstack-kept-")), "kept-secrets.json");
    writeFileSync(file, JSON.stringify(plan.keptSecrets));
    return file;
}

const inputs = (plan: PlanResult, type: string, name: string) => one(plan, type, name).inputs as any;
const secretRefs = (container: any) => Object.fromEntries((container.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef]));

/**
 * Redeploy onto kept data, under mocks: deployment 1 generates the credentials; `pulumi destroy` keeps their Secrets
 * (retainOnDelete, like the volumes); deployment 2, whose generated values differ (generation 2: the state is gone),
 * reads the kept Secrets first and writes back exactly the values the kept databases were initialised with.
 */
describe("redeploy onto kept data: credentials stay with the data (mocks)", function () {
    this.timeout(120_000);
    let first: PlanResult;
    let again: PlanResult;
    let fresh: PlanResult;

    before(async () => {
        first = await planStack("dev", BOTH);
        assert.equal(first.code, 0, first.stderr);
        [again, fresh] = await Promise.all([
            planStack("dev", BOTH, { keptSecretsFile: writeKept(first), generation: 2 }),
            planStack("dev", BOTH, { generation: 2 }),
        ]);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(fresh.code, 0, fresh.stderr);
    });

    it("the credential Secrets are kept on destroy and adopted by the next deployment", () => {
        for (const name of ["pacstack-postgresql-credentials", "pacstack-dcm4chee-credentials", "pacstack-keycloak"]) {
            assert.deepEqual(
                first.keptOnDestroy.filter((k) => k.name === name),
                [{ type: SECRET, name, provider: "pacstack-kubernetes-adopt" }],
                `${name}: retainOnDelete through the adopting provider`,
            );
        }
        assert.deepEqual(Object.keys(first.keptSecrets).sort(), [...CREDENTIALS].sort(), "no other Secret is kept");
    });

    it("a deployment after destroy writes back the kept values; without them it would not", () => {
        for (const secret of CREDENTIALS) {
            const keys = Object.keys(first.keptSecrets[secret]).sort();
            assert.ok(keys.length >= 2, secret);
            assert.deepEqual(again.keptSecrets[secret], first.keptSecrets[secret], `${secret}: the kept values`);
            for (const key of keys) {
                assert.notEqual(fresh.keptSecrets[secret][key], first.keptSecrets[secret][key], `${secret}/${key}: generation 2 generates other values`);
            }
        }
    });

    it("a kept Secret missing a key gets that key generated, the others kept", async () => {
        const partial = structuredClone(first.keptSecrets);
        delete partial["pacstack/pacstack-postgresql-credentials"]["postgres-password"];
        const file = join(mkdtempSync(join(tmpdir(), "pacstack-kept-")), "kept-secrets.json");
        writeFileSync(file, JSON.stringify(partial));
        const plan = await planStack("dev", BOTH, { keptSecretsFile: file, generation: 3 });
        assert.equal(plan.code, 0, plan.stderr);
        const postgres = plan.keptSecrets["pacstack/pacstack-postgresql-credentials"];
        assert.equal(postgres.password, first.keptSecrets["pacstack/pacstack-postgresql-credentials"].password);
        assert.match(postgres["postgres-password"], /#3$/);
    });

    it("every consumer reads the kept Secret: the chart, Orthanc, dcm4chee's LDAP, database and archive, the backups", () => {
        const release = inputs(again, "kubernetes:helm.sh/v3:Release", "pacstack-postgresql");
        assert.equal(release.values.auth.existingSecret, "pacstack-postgresql-credentials");
        const orthanc = inputs(again, "kubernetes:apps/v1:Deployment", "pacstack-orthanc").spec.template.spec.containers[0];
        assert.deepEqual(secretRefs(orthanc).ORTHANC_DB_PASSWORD, { key: "password", name: "pacstack-postgresql-credentials" });
        for (const name of ["pacstack-dcm4chee", "pacstack-dcm4chee-db", "pacstack-dcm4chee-ldap"]) {
            const pod = inputs(again, "kubernetes:apps/v1:StatefulSet", name).spec.template.spec;
            const secrets = (pod.volumes ?? []).filter((v: any) => v.secret?.secretName === "pacstack-dcm4chee-credentials");
            assert.equal(secrets.length, 1, `${name} mounts the kept credentials`);
        }
        for (const [cronJob, secret] of [["pacstack-postgresql-backup", "pacstack-postgresql-credentials"], ["pacstack-dcm4chee-db-backup", "pacstack-dcm4chee-credentials"]]) {
            const volumes = inputs(again, "kubernetes:batch/v1:CronJob", cronJob).spec.jobTemplate.spec.template.spec.volumes;
            assert.ok(volumes.some((v: any) => v.secret?.secretName === secret), cronJob);
        }
    });

    it("a generated Orthanc peer password is kept too (the peer has it registered)", async () => {
        const peers = { "orthanc.peers": JSON.stringify([{ name: "research", url: "https://research.hospital.org/orthanc/", username: "pacs" }]) };
        const withPeer = await planStack("prod", peers);
        assert.equal(withPeer.code, 0, withPeer.stderr);
        assert.ok(withPeer.keptOnDestroy.some((k) => k.type === SECRET && k.name === "pacstack-orthanc-peers" && k.provider === "pacstack-kubernetes-adopt"));
        const generated = withPeer.keptSecrets["pacstack/pacstack-orthanc-peers"].research;
        const [redeployed, regenerated] = await Promise.all([
            planStack("prod", peers, { keptSecretsFile: writeKept(withPeer), generation: 2 }),
            planStack("prod", peers, { generation: 2 }),
        ]);
        assert.equal(redeployed.keptSecrets["pacstack/pacstack-orthanc-peers"].research, generated);
        assert.notEqual(regenerated.keptSecrets["pacstack/pacstack-orthanc-peers"].research, generated);
    });

    it("the redeployment is the same plan but for the generated values that are not kept (no resource renamed)", () => {
        assert.deepEqual(again.urns, first.urns);
        assert.deepEqual(again.keptOnDestroy, first.keptOnDestroy);
    });
});
