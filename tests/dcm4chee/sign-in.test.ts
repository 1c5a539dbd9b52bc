import assert from "node:assert/strict";
import { parseImage } from "../../components/config/image";
import { ARCHIVE_UI_CLIENT_ID } from "../../components/keycloak/realm";
import { archiveImageFor, archiveImageProblems, renderArchiveSignInEnv } from "../../components/dcm4chee/sign-in";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";

const K = {
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    configMap: "kubernetes:core/v1:ConfigMap",
    ingressRoute: "kubernetes:traefik.io/v1alpha1:IngressRoute",
    middleware: "kubernetes:traefik.io/v1alpha1:Middleware",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const inputs = (r: { inputs: unknown }) => r.inputs as any;
const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
const archive = (p: PlanResult) => inputs(one(p, K.statefulSet, "pacstack-dcm4chee")).spec.template.spec.containers[0];
const image = (reference: string) => parseImage(reference)!;
/** The Keycloak settings dcm4chee-arc-psql 5.34.3-secure-ui reads (its README, "Environment Variables"). */
const IMAGE_SIGN_IN_VARIABLES = ["ALLOW_ANY_HOSTNAME", "AUTH_SERVER_URL", "AUTH_USER_ROLE", "REALM_NAME", "SSL_REQUIRED", "SUPER_USER_ROLE", "UI_AUTH_SERVER_URL", "UI_CLIENT_ID", "WILDFLY_ADMIN_OIDC"];

describe("dcm4chee under single sign-on: the -secure-ui image against pacstack's realm", () => {
    describe("renderers", () => {
        it("runs the release's -secure-ui variant with single sign-on, the image as given otherwise", () => {
            assert.equal(archiveImageFor(image("docker.io/dcm4che/dcm4chee-arc-psql:5.34.3"), true).tag, "5.34.3-secure-ui");
            assert.equal(archiveImageFor(image("registry.hospital.org/mirror/dcm4chee-arc-psql:5.34.3"), true).repository, "mirror/dcm4chee-arc-psql");
            assert.equal(archiveImageFor(image("docker.io/dcm4che/dcm4chee-arc-psql:5.34.3-secure-ui"), true).tag, "5.34.3-secure-ui");
            const digest = `sha256:${"a".repeat(64)}`;
            assert.equal(archiveImageFor(image(`docker.io/dcm4che/dcm4chee-arc-psql@${digest}`), true).tag, digest, "a digest is taken as given");
            assert.equal(archiveImageFor(image("docker.io/dcm4che/dcm4chee-arc-psql:5.34.3"), false).tag, "5.34.3");
        });

        it("refuses the -secure variant with single sign-on and any secured variant with basic auth, saying why", () => {
            assert.match(archiveImageProblems(image("dcm4che/dcm4chee-arc-psql:5.34.3-secure"), "sso").join(), /bearer token the edge does not send/);
            assert.match(archiveImageProblems(image("dcm4che/dcm4chee-arc-psql:5.34.3-secure-ui"), "basic").join(), /deploys no Keycloak/);
            assert.match(archiveImageProblems(image("dcm4che/dcm4chee-arc-psql:5.34.3-secure"), "basic").join(), /deploys no Keycloak/);
            for (const [tag, login] of [["5.34.3", "sso"], ["5.34.3-secure-ui", "sso"], ["5.34.3", "basic"]] as const) {
                assert.deepEqual(archiveImageProblems(image(`dcm4che/dcm4chee-arc-psql:${tag}`), login), [], `${tag} ${login}`);
            }
        });

        it("points the UI at Keycloak: the cluster's URL for Wildfly, the public one for the browser, pacstack's realm and UI client", () => {
            const env = renderArchiveSignInEnv({ keycloakInternalUrl: "http://pacstack-keycloak-http.pacstack.svc.cluster.local:8080/auth", keycloakPublicUrl: "https://pacs.example.org/auth" });
            assert.deepEqual(env.map((e) => e.name), IMAGE_SIGN_IN_VARIABLES);
            assert.deepEqual(Object.fromEntries(env.map((e) => [e.name, e.value])), {
                ALLOW_ANY_HOSTNAME: "false",
                AUTH_SERVER_URL: "http://pacstack-keycloak-http.pacstack.svc.cluster.local:8080/auth",
                AUTH_USER_ROLE: "pacstack-admin",
                REALM_NAME: "pacstack",
                SSL_REQUIRED: "external",
                SUPER_USER_ROLE: "pacstack-admin",
                UI_AUTH_SERVER_URL: "https://pacs.example.org/auth",
                UI_CLIENT_ID: ARCHIVE_UI_CLIENT_ID,
                WILDFLY_ADMIN_OIDC: "false",
            });
        });

        it("refuses URLs a stranger could bend: plain http in public, credentials, queries, trailing /", () => {
            const ok = { keycloakInternalUrl: "http://k.pacstack.svc:8080/auth", keycloakPublicUrl: "https://pacs.example.org/auth" };
            for (const bad of [{ keycloakPublicUrl: "http://pacs.example.org/auth" }, { keycloakPublicUrl: "https://u:p@pacs.example.org/auth" }, { keycloakInternalUrl: "http://k/auth?x=1" }, { keycloakPublicUrl: "https://pacs.example.org/auth/" }, { keycloakInternalUrl: "ftp://k/auth" }]) {
                assert.throws(() => renderArchiveSignInEnv({ ...ok, ...bad }), /invalid dcm4chee sign-in settings/, JSON.stringify(bad));
            }
        });
    });

    describe("the whole program (Pulumi mocks)", function () {
        this.timeout(300_000);
        let sso: PlanResult;
        let basic: PlanResult;
        let orthancOnly: PlanResult;
        before(async () => {
            [sso, basic, orthancOnly] = await Promise.all([planStack("dev", { archives: '["dcm4chee"]' }), planStack("dev", { archives: '["dcm4chee"]', login: "basic" }), planStack("dev")]);
            for (const p of [sso, basic, orthancOnly]) assert.equal(p.code, 0, p.stderr);
        });

        it("runs the -secure-ui image with the Keycloak settings by default; the plain image with basic auth", () => {
            assert.equal(archive(sso).image, "docker.io/dcm4che/dcm4chee-arc-psql:5.34.3-secure-ui");
            const env = envOf(archive(sso));
            assert.equal(env.AUTH_SERVER_URL, "http://pacstack-keycloak-http.pacstack.svc.cluster.local:8080/auth");
            assert.equal(env.UI_AUTH_SERVER_URL, "https://pacs.minikube.test:30443/auth");
            assert.equal(env.REALM_NAME, "pacstack");
            assert.equal(env.UI_CLIENT_ID, ARCHIVE_UI_CLIENT_ID);
            assert.equal(archive(basic).image, "docker.io/dcm4che/dcm4chee-arc-psql:5.34.3");
            for (const name of IMAGE_SIGN_IN_VARIABLES) assert.equal(envOf(archive(basic))[name], undefined, name);
        });

        it("adds the UI client to the realm only with dcm4chee, its only redirect URIs under the UI's own path", () => {
            const clientsOf = (p: PlanResult) => JSON.parse(inputs(one(p, K.configMap, "pacstack-keycloak-realm")).data["realm.json"]).clients as { clientId: string; redirectUris: string[] }[];
            const ui = clientsOf(sso).find((c) => c.clientId === ARCHIVE_UI_CLIENT_ID)!;
            assert.deepEqual(ui.redirectUris, ["https://pacs.minikube.test:30443/dcm4chee-arc/ui2/*"]);
            assert.equal(clientsOf(orthancOnly).find((c) => c.clientId === ARCHIVE_UI_CLIENT_ID), undefined);
        });

        it("lets the archive reach Keycloak's HTTP port (and nothing new else), and keeps its UI for administrators at the edge", () => {
            const policies = byType(sso, K.policy).map((p) => p.name);
            assert.ok(policies.includes("pacstack-dcm4chee-to-keycloak-egress") && policies.includes("pacstack-dcm4chee-to-keycloak-ingress"), policies.join(" "));
            const ingress = inputs(one(sso, K.policy, "pacstack-dcm4chee-to-keycloak-ingress"));
            assert.deepEqual(ingress.spec.ingress[0].ports, [{ port: 8080, protocol: "TCP" }]);
            assert.ok(!byType(basic, K.policy).some((p) => p.name.includes("dcm4chee-to-keycloak")));
            const routes = inputs(byType(sso, K.ingressRoute)[0]).spec.routes as { match: string; middlewares: { name: string }[] }[];
            const ui = routes.find((r) => r.match.includes("/dcm4chee-arc/ui2"))!;
            const middlewares = Object.fromEntries(byType(sso, K.middleware).map((m) => [inputs(m).metadata.name, inputs(m).spec]));
            const addresses = ui.middlewares.map((m) => middlewares[m.name]?.forwardAuth?.address).filter(Boolean);
            assert.equal(addresses.length, 1);
            assert.match(addresses[0], /allowed_groups=pacstack-admin$/);
        });

        it("refuses a -secure archive image with single sign-on in one clear message, before anything is created", async () => {
            const refused = await planStack("dev", { archives: '["dcm4chee"]', "dcm4chee.image": "docker.io/dcm4che/dcm4chee-arc-psql:5.34.3-secure" });
            assert.notEqual(refused.code, 0);
            assert.match(refused.stderr, /pacstack:dcm4chee\.image = "docker\.io\/dcm4che\/dcm4chee-arc-psql:5\.34\.3-secure": .*bearer token/);
            assert.equal(refused.resources.length, 0);
        });
    });
});
