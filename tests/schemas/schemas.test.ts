import assert from "node:assert/strict";
import { planStack } from "../harness/plan-runner";
import { VARIANTS } from "../harness/variants";

/** Where each API group's models live (kubernetes-models and @kubernetes-models/* are ESM-only). */
const MODEL_PACKAGES: Record<string, string> = {
    "traefik.io": "@kubernetes-models/traefik",
    "networking.istio.io": "@kubernetes-models/istio",
    "security.istio.io": "@kubernetes-models/istio",
    "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
    "cert-manager.io": "@kubernetes-models/cert-manager",
};

/** Resource types that are not Kubernetes objects themselves (their contents are checked elsewhere). */
const NOT_OBJECTS = new Set(["kubernetes:helm.sh/v3:Release"]);

async function modelFor(apiVersion: string, kind: string): Promise<new (data: unknown) => { validate(): void }> {
    const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
    const pkg = MODEL_PACKAGES[group] ?? "kubernetes-models";
    const path = pkg === "kubernetes-models" ? `kubernetes-models/${apiVersion}` : `${pkg}/${apiVersion}/${kind}`;
    const module = await import(path);
    const model = module[kind];
    assert.ok(model, `no model for ${apiVersion} ${kind} in ${path}`);
    return model;
}

describe("schemas: every Kubernetes object validates with kubernetes-models", function () {
    this.timeout(120000);
    for (const variant of VARIANTS) {
        it(`${variant.label}`, async () => {
            const plan = await planStack(variant.stack, variant.overrides);
            assert.equal(plan.code, 0, plan.stderr);
            const objects = plan.resources.filter((r) => r.type.startsWith("kubernetes:") && !NOT_OBJECTS.has(r.type));
            assert.ok(objects.length > 20, "the plan should hold the platform's objects");
            for (const resource of objects) {
                const { apiVersion, kind } = resource.inputs as { apiVersion: string; kind: string };
                assert.equal(`kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`, resource.type);
                const Model = await modelFor(apiVersion, kind);
                try {
                    new Model(resource.inputs).validate();
                } catch (error) {
                    assert.fail(`${resource.type} ${resource.name}: ${(error as Error).message}`);
                }
            }
        });
    }

    it("rejects a malformed object (the check can fail)", async () => {
        const Deployment = await modelFor("apps/v1", "Deployment");
        assert.throws(() => new Deployment({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: { replicas: "two" } }).validate());
        const IngressRouteTCP = await modelFor("traefik.io/v1alpha1", "IngressRouteTCP");
        assert.throws(() => new IngressRouteTCP({ metadata: { name: "x" }, spec: { routes: [{ services: [] }] } }).validate());
    });
});
