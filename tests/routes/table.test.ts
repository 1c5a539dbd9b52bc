import assert from "node:assert/strict";
import { VIEWER_RESPONSE_HEADERS } from "../../components/ohif/headers";
import { renderRouteTable } from "../../components/routes/table";
import { renderIngressRoute, renderMiddlewares } from "../../components/routes/traefik-resources";
import { EDGE, PUBLISHED } from "./fixtures";

const viewer = PUBLISHED.viewer();
const { orthanc, dcm4chee } = PUBLISHED;

describe("routes: one table for the viewer and both archives", () => {
    it("holds the routes of exactly the deployed archives", () => {
        const names = (input: Parameters<typeof renderRouteTable>[0]) => {
            const table = renderRouteTable(input);
            return [table.web.map((r) => r.name), table.tcp.map((r) => r.name)];
        };
        assert.deepEqual(names([orthanc, viewer]), [["orthanc", "dicom-web", "viewer"], ["orthanc-dicom"]]);
        assert.deepEqual(names([dcm4chee, viewer]), [["dcm4chee", "dcm4chee-ui", "viewer"], ["dcm4chee-dicom", "dcm4chee-hl7"]]);
        assert.deepEqual(names([orthanc, dcm4chee, viewer]), [["orthanc", "dicom-web", "dcm4chee", "dcm4chee-ui", "viewer"], ["orthanc-dicom", "dcm4chee-dicom", "dcm4chee-hl7"]]);
    });

    // Which backend serves which path, by Traefik's own router priorities: tests/traefik/edge.real.test.ts.

    it("asks every router for the web user; only Orthanc's routes forward the header to the backend", () => {
        const table = renderRouteTable([orthanc, dcm4chee, viewer]);
        for (const router of renderIngressRoute(EDGE, table).spec.routes) {
            const auth = router.middlewares.map((m) => m.name).filter((n) => n.startsWith("pacstack-routes-web-auth"));
            const orthancRoute = router.services[0].name === "pacstack-orthanc";
            assert.deepEqual(auth, [orthancRoute ? "pacstack-routes-web-auth-forward" : "pacstack-routes-web-auth"], router.match);
        }
        const auth = renderMiddlewares(EDGE, table).filter((m) => "basicAuth" in m.spec).map((m) => [m.metadata.name, m.spec.basicAuth]);
        assert.deepEqual(auth, [
            ["pacstack-routes-web-auth", { realm: "pacstack", removeHeader: true, secret: "pacstack-routes-web-users" }],
            ["pacstack-routes-web-auth-forward", { realm: "pacstack", removeHeader: false, secret: "pacstack-routes-web-users" }],
        ]);
    });

    it("puts the viewer's CSP and cross-origin isolation on the viewer's answers only", () => {
        const table = renderRouteTable([orthanc, dcm4chee, viewer]);
        const headers = renderMiddlewares(EDGE, table).find((m) => m.metadata.name === "pacstack-routes-headers-viewer") as any;
        assert.equal(headers.spec.headers.contentSecurityPolicy, VIEWER_RESPONSE_HEADERS.contentSecurityPolicy);
        assert.equal(headers.spec.headers.customResponseHeaders["Cross-Origin-Embedder-Policy"], "require-corp");
        for (const router of renderIngressRoute(EDGE, table).spec.routes) {
            assert.equal(router.middlewares.some((m) => m.name === "pacstack-routes-headers-viewer"), router.services[0].name === "pacstack-viewer", router.match);
        }
    });

    it("gives the catch-all the lowest priority and a prefixed viewer a redirect from /", () => {
        const root = renderIngressRoute(EDGE, renderRouteTable([dcm4chee, viewer])).spec.routes.filter((r) => r.services[0].name === "pacstack-viewer");
        assert.deepEqual(root.map((r) => r.priority), [2, 1], "writes, then reads, below every other router");
        assert.ok(root.every((r) => r.match.includes("PathPrefix(`/`)")));
        assert.ok(root[0].match.endsWith("&& (Method(`POST`) || Method(`PUT`))") && root[0].middlewares.some((m) => m.name === "pacstack-routes-upload-limit"));
        const prefixed = renderRouteTable([dcm4chee, PUBLISHED.viewer("/viewer")]);
        assert.deepEqual(prefixed.redirects, [{ name: "root", from: "/", to: "/viewer/", service: { name: "pacstack-viewer", port: 8080 } }]);
        const redirect = renderMiddlewares(EDGE, prefixed).find((m) => m.metadata.name === "pacstack-routes-redirect-root") as any;
        const rewritten = "https://pacs.example.org/".replace(new RegExp(redirect.spec.redirectRegex.regex), redirect.spec.redirectRegex.replacement.replace("${1}", "$1"));
        assert.equal(rewritten, "https://pacs.example.org/viewer/");
        const rootRouter = renderIngressRoute(EDGE, prefixed).spec.routes.find((r) => r.match === "Host(`pacs.example.org`) && Path(`/`)");
        assert.equal(rootRouter?.middlewares.at(-1)?.name, "pacstack-routes-redirect-root");
        // That Traefik picks this router for / and the viewer's for /viewer/...: tests/traefik/edge.real.test.ts.
    });
});
