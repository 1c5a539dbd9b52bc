import assert from "node:assert/strict";
import { pacstackSettings } from "../../components/config/stack";
import { nearest } from "../../components/config/suggest";
import { planStack } from "../harness/plan-runner";

describe("scripts: `npm run plan` says what is wrong with its input", function () {
    this.timeout(120000);

    it("names a missing stack file and the stacks that exist", async () => {
        const plan = await planStack("staging");
        assert.equal(plan.code, 2);
        assert.equal(plan.stderr.trim(), `no stack file Pulumi.staging.yaml in ${process.cwd()}; the stacks here are dev, prod (create one with \`pulumi stack init staging\` or copy Pulumi.dev.yaml)`);
    });

    it("refuses a setting under a misspelled namespace instead of ignoring it", async () => {
        const plan = await planStack("dev", { "pacstak:orthancReplicas": 3 });
        assert.equal(plan.code, 1);
        assert.match(plan.stderr, /pacstak:orthancReplicas = "3": "pacstak" is not pacstack's namespace, so this setting would be ignored; did you mean pacstack:orthancReplicas\?/);
        assert.match(plan.stderr, /^0 resources registered$/m);
    });

    it("suggests the nearest setting for an unknown key", async () => {
        const plan = await planStack("dev", { uploadLimitMb: 10 });
        assert.equal(plan.code, 1);
        assert.match(plan.stderr, /pacstack:uploadLimitMb = "10": unknown setting; .*\(did you mean pacstack:uploadLimitMiB\?\)/);
    });

    it("sets one field of a group with group.field=value, keeping the stack file's other fields", async () => {
        const plan = await planStack("prod", { "orthanc.replicas": 3 });
        assert.equal(plan.code, 0, plan.stderr);
        const deployment = plan.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && r.name === "pacstack-orthanc")!.inputs as any;
        assert.equal(deployment.spec.replicas, 3);
        const claim = plan.resources.find((r) => r.name === "pacstack-orthanc-storage")!.inputs as any;
        assert.deepEqual(claim.spec.resources.requests, { storage: "2Ti" }, "Pulumi.prod.yaml's orthanc.storageSize is kept");
        assert.deepEqual(claim.spec.accessModes, ["ReadWriteMany"]);
    });

    it("refuses an assignment without a key", async () => {
        const plan = await planStack("dev", { "": "x" });
        assert.equal(plan.code, 2);
        assert.match(plan.stderr, /^=x: a setting is key=value/m);
    });
});

describe("config: namespaces and nearest keys", () => {
    it("keeps pacstack's keys, flags near-miss namespaces and leaves other namespaces alone", () => {
        const { raw, problems } = pacstackSettings({ "pacstack:domain": "a.b", "pacstak:platform": "cloud", "kubernetes:context": "x", "aws:region": "eu" });
        assert.deepEqual(raw, { domain: "a.b" });
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^pacstak:platform = "cloud": .*did you mean pacstack:platform\?$/);
    });

    it("suggests only a plausible typo", () => {
        assert.equal(nearest("orthancReplica", ["orthancReplicas", "orthancImage"]), "orthancReplicas");
        assert.equal(nearest("archvies", ["archives", "modalities"]), "archives");
        assert.equal(nearest("colour", ["platform", "domain"]), undefined);
    });
});
