import assert from "node:assert/strict";
import { PlanResult, one, planStack } from "../harness/plan-runner";

const K = {
    configMap: "kubernetes:core/v1:ConfigMap",
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    release: "kubernetes:helm.sh/v3:Release",
};
const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;
const orthancPod = (plan: PlanResult) => inputs(one(plan, K.deployment, "pacstack-orthanc")).spec.template.spec;
const orthancConfig = (plan: PlanResult) => JSON.parse(inputs(one(plan, K.configMap, "pacstack-orthanc-config")).data["orthanc.json"]);
const postgresConf = (plan: PlanResult) => inputs(one(plan, K.release, "pacstack-postgresql")).values.primary.extendedConfiguration as string;

/** Sizing as configuration, under Pulumi mocks (README: Sizing). */
describe("platform: sizing (mocks)", function () {
    this.timeout(600_000);
    let dev: PlanResult;
    let sized: PlanResult;
    before(async () => {
        [dev, sized] = await Promise.all([
            planStack("dev"),
            planStack("dev", {
                resources: '{"orthanc":{"limits":{"memory":"12Gi"}},"postgres":{"requests":{"memory":"1Gi"},"limits":{"memory":"4Gi"}},"dcm4cheeArchive":{"limits":{"cpu":"3"}}}',
                uploadLimitMiB: 4096,
                "orthanc.temporarySize": "10Gi",
                "orthanc.storageSize": "100Gi",
                archives: '["orthanc","dcm4chee"]',
            }),
        ]);
        for (const plan of [dev, sized]) assert.equal(plan.code, 0, plan.stderr);
    });

    it("the platform's defaults fit one upload at the limit: Orthanc's memory limit, its temporary volume, the storage ceiling", () => {
        const pod = orthancPod(dev);
        assert.equal(pod.containers[0].resources.limits.memory, "5Gi");
        assert.equal(pod.volumes.find((v: any) => v.name === "tmp").emptyDir.sizeLimit, "4Gi");
        const config = orthancConfig(dev);
        assert.deepEqual([config.MaximumRequestBodySizeMB, config.MaximumStorageSize, config.MaximumStorageMode], [2048, 18432, "Reject"]);
        assert.match(postgresConf(dev), /^shared_buffers = '256MB'$/m);
        assert.match(postgresConf(dev), /^effective_cache_size = '768MB'$/m);
    });

    it("per-service resources override the profile; PostgreSQL's memory settings follow its limit; the ceiling follows the volume", () => {
        const pod = orthancPod(sized);
        assert.deepEqual(pod.containers[0].resources, { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "12Gi" } });
        assert.equal(pod.volumes.find((v: any) => v.name === "tmp").emptyDir.sizeLimit, "10Gi");
        assert.equal(orthancConfig(sized).MaximumStorageSize, 92160);
        const release = inputs(one(sized, K.release, "pacstack-postgresql")).values.primary;
        assert.deepEqual(release.resources, { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1", memory: "4Gi" } });
        for (const line of ["shared_buffers = '1024MB'", "effective_cache_size = '3072MB'", "work_mem = '10MB'", "maintenance_work_mem = '204MB'"]) {
            assert.ok(postgresConf(sized).split("\n").includes(line), line);
        }
        const archive = inputs(one(sized, K.statefulSet, "pacstack-dcm4chee")).spec.template.spec.containers[0];
        assert.equal(archive.resources.limits.cpu, "3");
    });

    it("an upload limit one upload of which could exhaust Orthanc's memory or temporary volume is one error naming the keys, before anything is created", async () => {
        const plan = await planStack("dev", { uploadLimitMiB: 4096 });
        assert.equal(plan.code, 1);
        assert.match(
            plan.stderr,
            /pacstack:uploadLimitMiB = 4096: one upload at this limit needs 8704 MiB of Orthanc's memory .* but pacstack:resources\.orthanc\.limits\.memory \(the minikube default\) = 5Gi and pacstack:orthanc\.temporarySize = 8Gi; lower the upload limit to at most 2304 MiB or raise the others/,
        );
        assert.match(plan.stderr, /^0 resources registered$/m);
        const temporary = await planStack("dev", { "orthanc.temporarySize": "1Gi" });
        assert.match(temporary.stderr, /pacstack:orthanc\.temporarySize = 1Gi; lower the upload limit to at most 1024 MiB/);
    });
});
