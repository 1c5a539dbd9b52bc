import assert from "node:assert/strict";
import { edgeBackends, renderEdgePolicies, renderFlowPolicies } from "../../components/publish/network";
import { publication, publicationClashes } from "../../components/publish/published";
import { renderScrapeTargets } from "../../components/publish/scrape";
import { renderRouteTable } from "../../components/routes/table";
import { renderIngressRoute, renderMiddlewares } from "../../components/routes/traefik-resources";
import { EDGE, PUBLISHED } from "../routes/fixtures";

const pods = { namespace: "pacstack", podLabels: { app: "status" } };
const statusPage = publication("status", {
    routes: [{ name: "status", path: "/status", backend: { service: "status", port: 8080, pods }, protection: "public" }],
});

describe("publish: the edge, network and scrape targets are functions of published data", () => {
    it("serves a public route without a login and a route with its own upload limit through its own middleware", () => {
        const table = renderRouteTable([statusPage, PUBLISHED.orthanc]);
        const routers = renderIngressRoute(EDGE, table).spec.routes.filter((r) => r.services[0].name === "status");
        assert.equal(routers.length, 2);
        for (const router of routers) {
            assert.ok(!router.middlewares.some((m) => m.name.includes("web-auth")), router.match);
        }
        const own = publication("upload", { routes: [{ name: "upload", path: "/upload", backend: { service: "upload", port: 1, pods }, protection: "user", uploadLimitMiB: 1 }] });
        const middlewares = renderMiddlewares(EDGE, renderRouteTable([own]));
        const limits = middlewares.filter((m) => "buffering" in m.spec).map((m) => [m.metadata.name, (m.spec.buffering as any).maxRequestBodyBytes]);
        assert.deepEqual(limits, [
            ["pacstack-routes-upload-limit", 2048 * 1024 * 1024],
            ["pacstack-routes-upload-limit-upload", 1024 * 1024],
        ]);
        // Orthanc publishes the edge's own limit, so it shares the platform's middleware.
        assert.equal(renderMiddlewares(EDGE, renderRouteTable([PUBLISHED.orthanc])).filter((m) => "buffering" in m.spec).length, 1);
    });

    it("gives only public routes' platforms no basicAuth middlewares at all", () => {
        assert.equal(renderMiddlewares(EDGE, renderRouteTable([statusPage])).some((m) => "basicAuth" in m.spec), false);
    });

    it("opens the edge to each backend on exactly the ports published for it", () => {
        assert.deepEqual(
            edgeBackends([PUBLISHED.orthanc, PUBLISHED.dcm4chee, PUBLISHED.viewer("/viewer")]).map((b) => [b.service, b.ports]),
            [
                ["pacstack-dcm4chee", [2762, 8443, 12575]],
                ["pacstack-orthanc", [4242, 8042]],
                ["pacstack-viewer", [8080]],
            ],
        );
        const ingress = { namespace: "pacstack-ingress", podLabels: { "app.kubernetes.io/name": "traefik" } };
        const names = renderEdgePolicies(ingress, [PUBLISHED.viewer()]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
        assert.deepEqual(names, ["pacstack/ingress-to-pacstack-viewer-ingress", "pacstack-ingress/ingress-to-pacstack-viewer-egress"]);
    });

    it("renders one policy pair per published flow and nothing for a publication without flows", () => {
        const database = { namespace: "pacstack", podLabels: { app: "db" } };
        const withFlow = publication("reader", { flows: [{ name: "reader-to-db", from: pods, to: database, ports: [{ port: 5432 }] }] });
        assert.deepEqual(renderFlowPolicies([statusPage]), []);
        const [ingress, egress] = renderFlowPolicies([withFlow]);
        assert.equal(ingress.metadata.name, "reader-to-db-ingress");
        assert.deepEqual(ingress.spec.podSelector.matchLabels, database.podLabels);
        assert.equal(egress.metadata.name, "reader-to-db-egress");
        assert.deepEqual(egress.spec.podSelector.matchLabels, pods.podLabels);
    });

    it("turns metrics endpoints into scrape targets, credential included only where one is published", () => {
        const targets = renderScrapeTargets([PUBLISHED.orthanc, PUBLISHED.viewer()]);
        assert.deepEqual(targets, [
            {
                job: "pacstack-orthanc/orthanc",
                namespace: "pacstack",
                service: "pacstack-orthanc",
                podLabels: { "app.kubernetes.io/name": "orthanc" },
                port: 8042,
                path: "/tools/metrics-prometheus",
                basicAuth: { username: "admin", password: "secret" },
            },
        ]);
    });

    it("names both owners of a clash: the same path, entrypoint or flow published twice", () => {
        const copy = publication("copy", { routes: [{ ...PUBLISHED.orthanc.routes[1], name: "copy" }], entryPoints: [{ ...PUBLISHED.orthanc.entryPoints[0], name: "copy-dicom" }] });
        assert.deepEqual(publicationClashes([PUBLISHED.orthanc, copy]), [
            'web path "/dicom-web" is published by both pacstack-orthanc and copy',
            'entrypoint "dicom" is published by both pacstack-orthanc and copy',
            "edge port 11112 is published by both pacstack-orthanc and copy",
        ]);
        assert.deepEqual(publicationClashes([PUBLISHED.orthanc, PUBLISHED.dcm4chee, PUBLISHED.viewer()]), []);
    });
});
