import assert from "node:assert/strict";
import { MOCK_SECRET } from "../../scripts/plan/mocks";
import { PROXY_CLIENT_ID, REALM_NAME } from "../../components/keycloak/realm";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";

const inputs = (r: { inputs: unknown }) => r.inputs as any;
const syncJobOf = (plan: PlanResult) => inputs(one(plan, "kubernetes:batch/v1:Job", "pacstack-keycloak-realm-sync"));

/**
 * The Keycloak component in the whole program under Pulumi mocks: what it creates, where its generated credentials
 * live (Secrets and secret outputs only), the realm document it applies, and when the sync Job runs again.
 */
describe("keycloak: the component in the whole program (Pulumi mocks)", function () {
    this.timeout(300_000);
    let dev: PlanResult;
    let prod: PlanResult;
    before(async () => {
        [dev, prod] = await Promise.all([planStack("dev"), planStack("prod")]);
        assert.equal(dev.code, 0, dev.stderr);
        assert.equal(prod.code, 0, prod.stderr);
    });

    it("deploys codecentric's keycloakx chart at the pinned version, with the official image", () => {
        const release = inputs(one(dev, "kubernetes:helm.sh/v3:Release", "pacstack-keycloak"));
        assert.equal(release.chart, "keycloakx");
        assert.equal(release.version, "7.1.11");
        assert.deepEqual(release.repositoryOpts, { repo: "https://codecentric.github.io/helm-charts" });
        assert.deepEqual(release.values.image, { repository: "quay.io/keycloak/keycloak", tag: "26.7.3" });
        assert.equal(release.values.replicas, 1);
    });

    it("keeps the bootstrap administrator's password in its Secret and a secret output only, never in values, ConfigMaps or env literals", () => {
        const secret = inputs(one(dev, "kubernetes:core/v1:Secret", "pacstack-keycloak"));
        assert.equal(secret.stringData["admin-password"], "[secret]");
        assert.equal(secret.stringData["sync-client-secret"], "[secret]");
        assert.deepEqual(Object.keys(secret.stringData).sort(), ["admin-password", "database-password", "sync-client-secret"]);
        assert.equal(dev.outputs.keycloakAdminPassword, "[secret]");
        assert.equal(dev.outputs.scriptsClientSecret, "[secret]");
        assert.equal(dev.outputs.keycloakAdminUsername, "pacstack-admin");
        assert.doesNotMatch(dev.text, new RegExp(MOCK_SECRET), "a generated value appears unmarked");
        const release = inputs(one(dev, "kubernetes:helm.sh/v3:Release", "pacstack-keycloak"));
        assert.doesNotMatch(JSON.stringify(release.values), /\[secret\]/);
        for (const map of byType(dev, "kubernetes:core/v1:ConfigMap").filter((r) => r.name.startsWith("pacstack-keycloak"))) {
            assert.doesNotMatch(JSON.stringify(inputs(map).data), /\[secret\]|"secret"\s*:/, map.name);
        }
    });

    it("applies the rendered realm: the sign-in client's only redirect URI is oauth2-proxy's callback on the public host", () => {
        const realm = JSON.parse(inputs(one(dev, "kubernetes:core/v1:ConfigMap", "pacstack-keycloak-realm")).data["realm.json"]);
        assert.equal(realm.realm, REALM_NAME);
        const proxy = realm.clients.find((c: { clientId: string }) => c.clientId === PROXY_CLIENT_ID);
        assert.deepEqual(proxy.redirectUris, ["https://pacs.minikube.test:30443/oauth2/callback"]);
        const prodRealm = JSON.parse(inputs(one(prod, "kubernetes:core/v1:ConfigMap", "pacstack-keycloak-realm")).data["realm.json"]);
        assert.deepEqual(prodRealm.clients[0].redirectUris, ["https://pacs.example.org/oauth2/callback"]);
        assert.equal(inputs(one(dev, "kubernetes:core/v1:ConfigMap", "pacstack-keycloak-realm")).data["sync.mjs"].includes("async function syncRealm"), true);
    });

    it("runs the sync Job again when the realm changes (a new checksum replaces the Job), and not when nothing changed", async () => {
        const stricter = await planStack("dev", { "keycloak.passwordMinLength": 16 });
        assert.equal(stricter.code, 0, stricter.stderr);
        const checksum = (plan: PlanResult) => syncJobOf(plan).spec.template.metadata.annotations["pacstack.io/realm-checksum"];
        assert.match(checksum(dev), /^[0-9a-f]{64}$/);
        assert.equal(syncJobOf(dev).metadata.name, "pacstack-keycloak-realm-sync");
        assert.notEqual(checksum(stricter), checksum(dev));
        const again = await planStack("dev", { "keycloak.replicas": 1 });
        assert.equal(checksum(again), checksum(dev), "the same document keeps the same Job");
    });

    it("a dcm4chee-only site still gets PostgreSQL, for Keycloak", async () => {
        const plan = await planStack("dev", { archives: '["dcm4chee"]' });
        assert.equal(plan.code, 0, plan.stderr);
        assert.ok(plan.resources.some((r) => r.type === "pacstack:index:Postgres"));
        assert.ok(plan.resources.some((r) => r.type === "pacstack:index:Keycloak"));
    });

    it("several replicas on request, and a refused image names the key and why", async () => {
        const two = await planStack("prod", { "keycloak.replicas": 3 });
        assert.equal(inputs(one(two, "kubernetes:helm.sh/v3:Release", "pacstack-keycloak")).values.replicas, 3);
        const bitnami = await planStack("dev", { "keycloak.image": "docker.io/bitnami/keycloak:26.3.2" });
        assert.notEqual(bitnami.code, 0);
        assert.match(bitnami.stderr, /pacstack:keycloak\.image = "docker\.io\/bitnami\/keycloak:26\.3\.2": must be the official image keycloak\/keycloak/);
        assert.deepEqual(bitnami.resources, []);
    });
});
