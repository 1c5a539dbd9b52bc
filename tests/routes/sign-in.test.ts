import assert from "node:assert/strict";
import { renderRouteTable } from "../../components/routes/table";
import { renderIngressRoute, renderMiddlewares } from "../../components/routes/traefik-resources";
import { EDGE, PUBLISHED } from "./fixtures";

const SSO = { ...EDGE, login: { kind: "sso" as const, proxyUrl: "http://pacstack-oauth2-proxy.pacstack.svc:4180" } };
const table = renderRouteTable([PUBLISHED.orthanc, PUBLISHED.viewer("/viewer")]);
const middlewares = renderMiddlewares(SSO, table) as any[];
const middleware = (name: string) => middlewares.find((m) => m.metadata.name === name);
const routers = renderIngressRoute(SSO, table).spec.routes;
const namesOf = (router: { middlewares: { name: string }[] }) => router.middlewares.map((m) => m.name);

describe("routes: single sign-on at the edge (Traefik forwardAuth to oauth2-proxy)", () => {
    it("renders no basicAuth and no users Secret reference; one forwardAuth per protection, kind and credential", () => {
        assert.ok(!middlewares.some((m) => "basicAuth" in m.spec));
        assert.deepEqual(middlewares.filter((m) => m.spec.forwardAuth).map((m) => [m.metadata.name, m.spec.forwardAuth.address]), [
            ["pacstack-routes-sso-admin-api-backend", "http://pacstack-oauth2-proxy.pacstack.svc:4180/oauth2/auth?allowed_groups=pacstack-admin"],
            ["pacstack-routes-sso-admin-page-backend", "http://pacstack-oauth2-proxy.pacstack.svc:4180/?allowed_groups=pacstack-admin"],
            ["pacstack-routes-sso-user-api-backend", "http://pacstack-oauth2-proxy.pacstack.svc:4180/oauth2/auth?allowed_groups=pacstack-user,pacstack-admin"],
            ["pacstack-routes-sso-user-page", "http://pacstack-oauth2-proxy.pacstack.svc:4180/?allowed_groups=pacstack-user,pacstack-admin"],
        ]);
    });

    it("passes on only the identity headers, plus the edge's credential to backends that keep their own login", () => {
        const identity = ["X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Preferred-Username", "X-Auth-Request-Groups"];
        const viewer = middleware("pacstack-routes-sso-user-page").spec.forwardAuth;
        assert.deepEqual(viewer.authResponseHeaders, identity);
        assert.deepEqual(middleware("pacstack-routes-sso-user-api-backend").spec.forwardAuth.authResponseHeaders, [...identity, "Authorization"]);
        assert.equal(viewer.trustForwardHeader, false);
        assert.deepEqual(viewer.authRequestHeaders, ["Accept", "Authorization", "Cookie"]);
        assert.deepEqual(viewer.addAuthCookiesToResponse.slice(0, 2), ["__Host-pacstack-session", "__Host-pacstack-session_0"]);
        assert.deepEqual(middleware("pacstack-routes-drop-authorization").spec, { headers: { customRequestHeaders: { Authorization: "" } } });
        // No credential of any kind in a Middleware.
        assert.ok(!JSON.stringify(middlewares).includes("Basic "));
    });

    it("asks administrators only on /orthanc (401 for its REST API, the sign-in page for its Explorers), users on DICOMweb and the viewer", () => {
        const orthanc = routers.filter((r) => r.match.includes("/orthanc"));
        assert.equal(orthanc.length, 3);
        const [pages, writes, reads] = orthanc;
        assert.equal(
            pages.match,
            "Host(`pacs.example.org`) && (Path(`/orthanc`) || Path(`/orthanc/`) || PathPrefix(`/orthanc/ui/app/`) || PathPrefix(`/orthanc/app/`)) && (Method(`GET`) || Method(`HEAD`))",
        );
        assert.deepEqual(namesOf(pages), ["pacstack-routes-security-headers", "pacstack-routes-sso-admin-page-backend", "pacstack-routes-slash-orthanc", "pacstack-routes-strip-orthanc"]);
        assert.ok(namesOf(writes).includes("pacstack-routes-sso-admin-api-backend") && namesOf(reads).includes("pacstack-routes-sso-admin-api-backend"));
        for (const router of routers.filter((r) => r.match.includes("/dicom-web"))) {
            assert.deepEqual(namesOf(router).slice(0, 2), ["pacstack-routes-security-headers", "pacstack-routes-sso-user-api-backend"]);
        }
        for (const router of routers.filter((r) => r.match.includes("/viewer"))) {
            // The viewer never gets a client's token or the edge's credential.
            assert.deepEqual(namesOf(router).slice(0, 4), ["pacstack-routes-security-headers", "pacstack-routes-headers-viewer", "pacstack-routes-sso-user-page", "pacstack-routes-drop-authorization"]);
        }
        const redirect = routers.find((r) => r.match === "Host(`pacs.example.org`) && Path(`/`)")!;
        assert.deepEqual(namesOf(redirect), ["pacstack-routes-security-headers", "pacstack-routes-sso-user-page", "pacstack-routes-drop-authorization", "pacstack-routes-redirect-root"]);
    });

    it("page routers outrank the route's own by rule length (Traefik's default priority), and only read", () => {
        const [pages, writes, reads] = routers.filter((r) => r.match.includes("/orthanc"));
        assert.ok(pages.match.length > writes.match.length && pages.match.length > reads.match.length);
        assert.equal(pages.priority, undefined);
    });

    it("keeps public routes public and renders no forwardAuth for a platform with only public routes", () => {
        const statusOnly = renderRouteTable([
            { owner: "status", routes: [{ name: "status", path: "/status", protection: "public", backend: { service: "s", port: 80, pods: { namespace: "pacstack", podLabels: {} } } }], redirects: [], entryPoints: [], flows: [], metrics: [] },
        ]);
        assert.deepEqual(renderMiddlewares(SSO, statusOnly).filter((m: any) => m.spec.forwardAuth || m.spec.headers?.customRequestHeaders), []);
        const [, read] = renderIngressRoute(SSO, statusOnly).spec.routes;
        assert.deepEqual(namesOf(read), ["pacstack-routes-security-headers"]);
    });

    it("leaves the basic-auth login exactly as before when chosen", () => {
        const basic = renderMiddlewares(EDGE, table) as any[];
        assert.ok(!basic.some((m) => m.spec.forwardAuth));
        assert.equal(renderIngressRoute(EDGE, table).spec.routes.length, 2 * table.web.length + table.redirects.length);
    });
});

describe("routes: dcm4chee under single sign-on", () => {
    it("asks administrators only for its UI (/ui2) and signed-in users for its REST services, which answer 401", () => {
        const both = renderRouteTable([PUBLISHED.orthanc, PUBLISHED.dcm4chee, PUBLISHED.viewer()]);
        const routers = renderIngressRoute(SSO, both).spec.routes;
        const ui = routers.filter((r) => r.match.includes("(Path(`/dcm4chee-arc/ui2`) || PathPrefix(`/dcm4chee-arc/ui2/`))"));
        const rest = routers.filter((r) => r.match.includes("(Path(`/dcm4chee-arc`) || PathPrefix(`/dcm4chee-arc/`))"));
        assert.equal(ui.length, 2);
        assert.equal(rest.length, 2);
        for (const router of ui) assert.deepEqual(namesOf(router).slice(1, 3), ["pacstack-routes-sso-admin-page", "pacstack-routes-drop-authorization"]);
        for (const router of rest) assert.deepEqual(namesOf(router).slice(1, 3), ["pacstack-routes-sso-user-api", "pacstack-routes-drop-authorization"]);
        // Traefik's default priority (rule length) sends /ui2 to the UI's routers.
        assert.ok(ui[1].match.length > rest[1].match.length);
    });
});
