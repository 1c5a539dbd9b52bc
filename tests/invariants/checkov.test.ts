import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { CheckovFinding, runCheckov, writeObjects } from "../harness/kube/checkov";
import { KubeObject } from "../harness/kube/client";
import { objectsOf } from "../harness/kube/plan-objects";
import { planStack } from "../harness/plan-runner";
import { VARIANTS } from "../harness/variants";

interface Waiver {
    check: string;
    resources: string[];
    reason: string;
}

const WAIVERS_FILE = join(__dirname, "checkov-waivers.yaml");
const CANARY = "canary";

/** A pod template every rule set refuses: privileged, root, no limits, host network. */
function canary(): KubeObject {
    return {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "canary", namespace: "canary" },
        spec: {
            selector: { matchLabels: { app: "canary" } },
            template: {
                metadata: { labels: { app: "canary" } },
                spec: { hostNetwork: true, containers: [{ name: "c", image: "nginx:latest", securityContext: { privileged: true, runAsUser: 0 } }] },
            },
        },
    };
}

/**
 * Checkov (PyPI, pinned in tests/tools/checkov.sh), a rule set others maintain, over the objects of every stack
 * and setting variant. Each finding is fixed in components/ or waived in checkov-waivers.yaml with its reason; a
 * new finding, or a waiver nothing needs any more, fails.
 */
describe("invariants: Checkov's Kubernetes checks over every stack's rendered objects", function () {
    this.timeout(10 * 60_000);
    let findings: CheckovFinding[];
    const waivers = parse(readFileSync(WAIVERS_FILE, "utf8")) as Waiver[];

    before(async function () {
        this.timeout(40 * 60_000); // installs Checkov when .ci/run has not
        const dir = mkdtempSync(join(tmpdir(), "pacstack-checkov-"));
        const sets: Record<string, KubeObject[]> = { [CANARY]: [canary()] };
        for (const [i, variant] of VARIANTS.entries()) {
            const plan = await planStack(variant.stack, variant.overrides);
            assert.equal(plan.code, 0, plan.stderr);
            sets[`variant-${i}`] = objectsOf(plan);
        }
        writeObjects(dir, sets);
        try {
            findings = await runCheckov(dir);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it("every waiver names a check, resources and a reason", () => {
        for (const w of waivers) {
            assert.match(w.check, /^CKV2?_K8S_\d+$/, JSON.stringify(w));
            assert.ok(w.resources.length > 0 && w.reason.length > 30, JSON.stringify(w));
        }
    });

    it("every finding on pacstack's objects is waived with its reason, and every waiver is still needed", () => {
        const ours = findings.filter((f) => f.folder !== CANARY);
        const waived = (f: CheckovFinding) => waivers.some((w) => w.check === f.check && w.resources.includes(f.resource));
        const unwaived = [...new Set(ours.filter((f) => !waived(f)).map((f) => `${f.check} ${f.resource}: ${f.name}`))].sort();
        assert.deepEqual(unwaived, [], "fix these in components/ or waive them in tests/invariants/checkov-waivers.yaml");
        for (const w of waivers) {
            for (const resource of w.resources) {
                assert.ok(ours.some((f) => f.check === w.check && f.resource === resource), `stale waiver: ${w.check} ${resource}`);
            }
        }
    });

    it("the checks can fail: a privileged root pod on the host network is reported", () => {
        const caught = new Set(findings.filter((f) => f.folder === CANARY).map((f) => f.check));
        for (const check of ["CKV_K8S_16", "CKV_K8S_19", "CKV_K8S_23", "CKV_K8S_14"]) assert.ok(caught.has(check), `${check} not reported: ${[...caught]}`);
    });
});
