import assert from "node:assert/strict";
import { VIEWER_RESPONSE_HEADERS } from "../../components/ohif/headers";
import { archivePaths } from "../../components/dcm4chee/paths";
import { renderRouteTable } from "../../components/routes/table";
import { renderIngressRoute, renderMiddlewares } from "../../components/routes/traefik-resources";
import { evaluate, parseRule, rulePriority } from "../harness/browser/traefik-rules";
import { EDGE, PUBLISHED } from "./fixtures";

const viewer = PUBLISHED.viewer();
const { orthanc, dcm4chee } = PUBLISHED;

/** The router Traefik picks for a request, by priority (explicit, else the rule's length). */
function routerFor(table: ReturnType<typeof renderRouteTable>, path: string, method = "GET") {
    const routes = renderIngressRoute(EDGE, table).spec.routes.slice().sort((a, b) => rulePriority(b) - rulePriority(a));
    return routes.find((r) => evaluate(parseRule(r.match), { host: "pacs.example.org", path, method }));
}

describe("routes: one table for the viewer and both archives", () => {
    it("holds the routes of exactly the deployed archives", () => {
        const names = (input: Parameters<typeof renderRouteTable>[0]) => {
            const table = renderRouteTable(input);
            return [table.web.map((r) => r.name), table.tcp.map((r) => r.name)];
        };
        assert.deepEqual(names([orthanc, viewer]), [["orthanc", "dicom-web", "viewer"], ["orthanc-dicom"]]);
        assert.deepEqual(names([dcm4chee, viewer]), [["dcm4chee", "viewer"], ["dcm4chee-dicom"]]);
        assert.deepEqual(names([orthanc, dcm4chee, viewer]), [["orthanc", "dicom-web", "dcm4chee", "viewer"], ["orthanc-dicom", "dcm4chee-dicom"]]);
    });

    it("sends each path to its backend: archives first, the viewer catches the rest", () => {
        const table = renderRouteTable([orthanc, dcm4chee, viewer]);
        const expect = {
            "/": "pacstack-viewer",
            "/viewer": "pacstack-viewer",
            "/app.bundle.js": "pacstack-viewer",
            "/orthanc": "pacstack-orthanc",
            "/orthanc/app/explorer.html": "pacstack-orthanc",
            "/dicom-web/studies": "pacstack-orthanc",
            "/dicom-webx": "pacstack-viewer",
            "/dcm4chee-arc/ui2/": "pacstack-dcm4chee",
            [`${archivePaths("DCM4CHEE").dicomWeb}/studies`]: "pacstack-dcm4chee",
        };
        for (const [path, service] of Object.entries(expect)) {
            assert.equal(routerFor(table, path)?.services[0].name, service, path);
        }
        assert.ok(routerFor(table, "/dcm4chee-arc/aets/DCM4CHEE/rs/studies", "POST")?.middlewares.some((m) => m.name === "pacstack-routes-upload-limit"), "STOW-RS is size-limited");
    });

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
        assert.ok(routerFor(renderRouteTable([dcm4chee, viewer]), "/", "POST")?.middlewares.some((m) => m.name === "pacstack-routes-upload-limit"));
        const prefixed = renderRouteTable([dcm4chee, PUBLISHED.viewer("/viewer")]);
        assert.deepEqual(prefixed.redirects, [{ name: "root", from: "/", to: "/viewer/", service: { name: "pacstack-viewer", port: 8080 } }]);
        const redirect = renderMiddlewares(EDGE, prefixed).find((m) => m.metadata.name === "pacstack-routes-redirect-root") as any;
        const rewritten = "https://pacs.example.org/".replace(new RegExp(redirect.spec.redirectRegex.regex), redirect.spec.redirectRegex.replacement.replace("${1}", "$1"));
        assert.equal(rewritten, "https://pacs.example.org/viewer/");
        assert.equal(routerFor(prefixed, "/")?.middlewares.at(-1)?.name, "pacstack-routes-redirect-root");
        assert.equal(routerFor(prefixed, "/viewer/viewer")?.services[0].name, "pacstack-viewer");
    });
});
