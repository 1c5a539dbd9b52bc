import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";
import { REPO_ROOT } from "../harness/stack-config";

const PROGRAM = join(__dirname, "service", "program.ts");
const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;

function filesUnder(dir: string): string[] {
    return readdirSync(dir).flatMap((entry) => {
        const path = join(dir, entry);
        return entry === "dist" || entry === "node_modules" ? [] : statSync(path).isDirectory() ? filesUnder(path) : [path];
    });
}

/**
 * The point of published data: a service defined only in a test program (tests/platform/service/program.ts)
 * publishes one route, one flow and one metrics endpoint, and gets its IngressRoute routers, NetworkPolicy
 * allowances and scrape target with no change to components/.
 */
describe("platform: a service defined outside components/ gets its edge, network and scrape data", function () {
    this.timeout(180000);
    let plan: PlanResult;
    let dev: PlanResult;
    before(async () => {
        [plan, dev] = await Promise.all([planStack("dev", { "--program": PROGRAM }), planStack("dev")]);
        assert.equal(plan.code, 0, plan.stderr);
    });

    it("is not named anywhere in components/", () => {
        for (const file of filesUnder(join(REPO_ROOT, "components"))) {
            assert.doesNotMatch(readFileSync(file, "utf8"), /widget/i, file);
        }
    });

    it("gets two routers on the HTTPS IngressRoute, behind the web user, writes capped at its own upload limit", () => {
        const route = inputs(one(plan, "kubernetes:traefik.io/v1alpha1:IngressRoute", "pacstack-routes-web-ingressroute"));
        const routers = route.spec.routes.filter((r: any) => r.services[0].name === "pacstack-widget");
        assert.deepEqual(
            routers.map((r: any) => [r.match, r.middlewares.map((m: any) => m.name)]),
            [
                [
                    "Host(`pacs.minikube.test`) && (Path(`/widget`) || PathPrefix(`/widget/`)) && (Method(`POST`) || Method(`PUT`))",
                    ["pacstack-routes-security-headers", "pacstack-routes-web-auth", "pacstack-routes-upload-limit-widget"],
                ],
                ["Host(`pacs.minikube.test`) && (Path(`/widget`) || PathPrefix(`/widget/`))", ["pacstack-routes-security-headers", "pacstack-routes-web-auth"]],
            ],
        );
        assert.deepEqual(routers[0].services, [{ kind: "Service", name: "pacstack-widget", port: 9000 }]);
        const limit = inputs(one(plan, "kubernetes:traefik.io/v1alpha1:Middleware", "pacstack-routes-upload-limit-widget-middleware"));
        assert.equal(limit.spec.buffering.maxRequestBodyBytes, 16 * 1024 * 1024);
    });

    it("lets Traefik reach its route's port, and only that port", () => {
        const ingress = inputs(one(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pacstack-routes-ingress-to-pacstack-widget-ingress"));
        assert.deepEqual(ingress.spec.podSelector, { matchLabels: { "app.kubernetes.io/name": "widget" } });
        assert.deepEqual(ingress.spec.ingress[0].ports, [{ port: 9000, protocol: "TCP" }]);
        assert.deepEqual(ingress.spec.ingress[0].from[0].namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "pacstack-ingress" } });
        const egress = inputs(one(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pacstack-routes-ingress-to-pacstack-widget-egress"));
        assert.equal(egress.metadata.namespace, "pacstack-ingress");
        assert.deepEqual(egress.spec.egress[0].ports, [{ port: 9000, protocol: "TCP" }]);
    });

    it("gets its flow to PostgreSQL allowed on both sides", () => {
        const ingress = inputs(one(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pacstack-widget-to-postgresql-ingress"));
        assert.deepEqual(ingress.spec.podSelector.matchLabels, { "app.kubernetes.io/instance": "pacstack-postgresql", "app.kubernetes.io/name": "postgresql" });
        assert.deepEqual(ingress.spec.ingress[0], { from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "widget" } } }], ports: [{ port: 5432, protocol: "TCP" }] });
        const egress = inputs(one(plan, "kubernetes:networking.k8s.io/v1:NetworkPolicy", "pacstack-widget-to-postgresql-egress"));
        assert.deepEqual(egress.spec.podSelector.matchLabels, { "app.kubernetes.io/name": "widget" });
        assert.deepEqual(egress.spec.egress[0].ports, [{ port: 5432, protocol: "TCP" }]);
    });

    it("appears in the scrape targets beside Orthanc's, whose credential stays secret", () => {
        assert.deepEqual(plan.outputs.scrapeTargets, [
            {
                basicAuth: { password: "[secret]", username: "admin" },
                job: "pacstack-orthanc/orthanc",
                namespace: "pacstack",
                path: "/tools/metrics-prometheus",
                podLabels: { "app.kubernetes.io/instance": "pacstack-orthanc", "app.kubernetes.io/name": "orthanc" },
                port: 8042,
                service: "pacstack-orthanc",
            },
            {
                job: "pacstack-keycloak-http/keycloak",
                namespace: "pacstack",
                path: "/auth/metrics",
                podLabels: { "app.kubernetes.io/instance": "pacstack-keycloak", "app.kubernetes.io/name": "keycloak" },
                port: 9000,
                service: "pacstack-keycloak-http",
            },
            { job: "pacstack-widget/widget", namespace: "pacstack", path: "/metrics", podLabels: { "app.kubernetes.io/name": "widget" }, port: 9100, service: "pacstack-widget" },
        ]);
    });

    it("adds only its own resources: every URN of the plain dev stack stays", () => {
        const added = plan.urns.filter((urn) => !dev.urns.includes(urn));
        assert.deepEqual(dev.urns.filter((urn) => !plan.urns.includes(urn)), []);
        assert.deepEqual(added.map((urn) => urn.split("::").at(-1)).sort(), [
            "pacstack-routes-ingress-to-pacstack-widget-egress",
            "pacstack-routes-ingress-to-pacstack-widget-ingress",
            "pacstack-routes-upload-limit-widget-middleware",
            "pacstack-widget",
            "pacstack-widget",
            "pacstack-widget-to-postgresql-egress",
            "pacstack-widget-to-postgresql-ingress",
        ]);
        assert.equal(byType(plan, "pacstack-test:index:Widget").length, 1);
    });
});
