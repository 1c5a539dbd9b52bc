import assert from "node:assert/strict";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";

const inputs = (r: { inputs: unknown }) => r.inputs as any;

/** The session store in the whole program under Pulumi mocks: with single sign-on only, wired to oauth2-proxy alone. */
describe("session store: the component in the whole program (Pulumi mocks)", function () {
    this.timeout(300_000);
    let dev: PlanResult;
    let basic: PlanResult;
    before(async () => {
        [dev, basic] = await Promise.all([planStack("dev"), planStack("dev", { login: "basic" })]);
        assert.equal(dev.code, 0, dev.stderr);
        assert.equal(basic.code, 0, basic.stderr);
    });

    it("deploys the store with single sign-on: its password and ACL in a Secret only, its certificate for its Service's names", () => {
        const secret = inputs(one(dev, "kubernetes:core/v1:Secret", "pacstack-session-store-credentials"));
        assert.deepEqual(secret.stringData, { "users.acl": "[secret]", password: "[secret]" });
        const config = inputs(one(dev, "kubernetes:core/v1:ConfigMap", "pacstack-session-store-config")).data["valkey.conf"];
        assert.match(config, /^port 0$/m);
        const deployment = inputs(one(dev, "kubernetes:apps/v1:Deployment", "pacstack-session-store"));
        assert.equal(deployment.spec.template.spec.containers[0].image, "docker.io/valkey/valkey:8.1.11");
        assert.doesNotMatch(JSON.stringify(deployment), /MOCK-SECRET|\[secret\]/);
        const tls = inputs(one(dev, "kubernetes:core/v1:Secret", "pacstack-session-store-tls"));
        assert.equal(tls.type, "kubernetes.io/tls");
        const cert = inputs(one(dev, "tls:index/locallySignedCert:LocallySignedCert", "pacstack-session-store"));
        assert.ok(cert, "a certificate issued by the pacstack CA");
    });

    it("points oauth2-proxy at it over TLS with the store's CA and password from the Secret", () => {
        const release = inputs(one(dev, "kubernetes:helm.sh/v3:Release", "pacstack-oauth2-proxy"));
        assert.ok(release.values.extraArgs.includes("--redis-connection-url=rediss://pacstack-session-store.pacstack.svc:6379"), release.values.extraArgs.join(" "));
        assert.ok(release.values.extraArgs.includes("--session-store-type=redis"));
        const env = release.values.extraEnv.find((e: { name: string }) => e.name === "OAUTH2_PROXY_REDIS_PASSWORD");
        assert.deepEqual(env.valueFrom.secretKeyRef, { name: "pacstack-session-store-credentials", key: "password" });
        const ca = release.values.extraVolumes.find((v: { name: string }) => v.name === "session-store-ca");
        assert.equal(ca.secret.secretName, "pacstack-session-store-tls");
    });

    it("admits only oauth2-proxy's pods to the store's port (NetworkPolicies of the published flow)", () => {
        const ingress = inputs(one(dev, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pacstack-oauth2-proxy-to-session-store-ingress"));
        assert.deepEqual(ingress.spec.podSelector.matchLabels, { "app.kubernetes.io/instance": "pacstack-session-store", "app.kubernetes.io/name": "session-store" });
        assert.deepEqual(ingress.spec.ingress[0].ports, [{ port: 6379, protocol: "TCP" }]);
        assert.deepEqual(ingress.spec.ingress[0].from[0].podSelector.matchLabels, { "app.kubernetes.io/instance": "pacstack-oauth2-proxy", "app.kubernetes.io/name": "oauth2-proxy" });
        const toStore = byType(dev, "kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((p) => JSON.stringify(inputs(p).spec).includes("session-store"));
        assert.deepEqual(toStore.map((p) => p.name).sort(), ["pacstack-oauth2-proxy-to-session-store-egress", "pacstack-oauth2-proxy-to-session-store-ingress"]);
    });

    it("is not deployed with the basic-auth login", () => {
        assert.equal(basic.resources.filter((r) => r.name.includes("session-store")).length, 0);
    });
});
