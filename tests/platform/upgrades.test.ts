import assert from "node:assert/strict";
import { PlanResult, one, planStack } from "../harness/plan-runner";

const K = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    release: "kubernetes:helm.sh/v3:Release",
};
const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;
const NEXT_ORTHANC = "docker.io/orthancteam/orthanc:26.7.0";

/**
 * Version bumps under Pulumi mocks: what a changed image or chart version does to each workload's update strategy
 * (README: Upgrades), and the PostgreSQL image source with its warning (README: PostgreSQL image).
 */
describe("platform: upgrades and image sources (mocks)", function () {
    this.timeout(600_000);
    let prod: PlanResult;
    let prodNext: PlanResult;
    let dev: PlanResult;
    let maintained: PlanResult;
    let both: PlanResult;
    before(async () => {
        [prod, prodNext, dev, maintained, both] = await Promise.all([
            planStack("prod"),
            planStack("prod", { "orthanc.image": NEXT_ORTHANC, "postgres.chartVersion": "16.7.28" }),
            planStack("dev"),
            planStack("dev", { "postgres.image": "registry.example.org/bitnami/postgresql:17.7.0-debian-12-r2", "postgres.imagePullSecrets": '["bsi-pull"]' }),
            planStack("dev", { archives: '["orthanc","dcm4chee"]', "dcm4chee.image": "docker.io/dcm4che/dcm4chee-arc-psql:5.34.4" }),
        ]);
        for (const plan of [prod, prodNext, dev, maintained, both]) assert.equal(plan.code, 0, plan.stderr);
    });

    it("an Orthanc version bump with shared replicas recreates: every old pod stops before a new one starts", () => {
        const before = inputs(one(prod, K.deployment, "pacstack-orthanc")).spec;
        const after = inputs(one(prodNext, K.deployment, "pacstack-orthanc")).spec;
        assert.equal(before.replicas, 2);
        assert.notEqual(after.template.spec.containers[0].image, before.template.spec.containers[0].image);
        assert.equal(after.template.spec.containers[0].image, NEXT_ORTHANC);
        assert.deepEqual(after.strategy, { type: "Recreate" });
        assert.deepEqual(before.strategy, { type: "Recreate" }, "a configuration change takes the same path");
    });

    it("a chart version bump changes only the Release's version; PostgreSQL stays one pod", () => {
        const before = inputs(one(prod, K.release, "pacstack-postgresql"));
        const after = inputs(one(prodNext, K.release, "pacstack-postgresql"));
        assert.deepEqual([before.version, after.version], ["16.7.27", "16.7.28"]);
        assert.deepEqual(after.values, before.values);
        assert.equal(after.values.architecture ?? "standalone", "standalone");
    });

    it("dcm4chee's services are one-pod StatefulSets: a new archive image replaces the pod (old one stopped first)", () => {
        const archive = inputs(one(both, K.statefulSet, "pacstack-dcm4chee")).spec;
        assert.equal(archive.replicas, 1);
        // Single sign-on (the default) runs the release's -secure-ui variant.
        assert.equal(archive.template.spec.containers[0].image, "docker.io/dcm4che/dcm4chee-arc-psql:5.34.4-secure-ui");
        assert.equal(archive.updateStrategy?.type ?? "RollingUpdate", "RollingUpdate");
        assert.equal(archive.podManagementPolicy, "OrderedReady");
    });

    it("the frozen Bitnami legacy PostgreSQL image is the default, with a warning in the stack outputs", () => {
        const values = inputs(one(dev, K.release, "pacstack-postgresql")).values;
        assert.deepEqual(values.image, { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" });
        assert.equal(values.global.imagePullSecrets, undefined);
        const warnings = dev.outputs.warnings as string[];
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /^pacstack:postgres\.image = docker\.io\/bitnamilegacy\/postgresql:17\.6\.0-debian-12-r4 receives no security fixes/);
    });

    it("a maintained image from a subscription registry is pulled with the given Secret, and warns of nothing", () => {
        const values = inputs(one(maintained, K.release, "pacstack-postgresql")).values;
        assert.deepEqual(values.image, { registry: "registry.example.org", repository: "bitnami/postgresql", tag: "17.7.0-debian-12-r2" });
        assert.deepEqual(values.global.imagePullSecrets, ["bsi-pull"]);
        assert.deepEqual(maintained.outputs.warnings, []);
    });

    it("refuses a pull Secret that is no Secret name, before anything is created", async () => {
        const plan = await planStack("dev", { "postgres.imagePullSecrets": '["Not A Name"]' });
        assert.equal(plan.code, 1);
        assert.match(plan.stderr, /pacstack:postgres\.imagePullSecrets = \["Not A Name"\]: must be a list of Secret names/);
        assert.match(plan.stderr, /^0 resources registered$/m);
    });
});
