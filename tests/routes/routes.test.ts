import assert from "node:assert/strict";
import { renderRouteTable } from "../../components/routes/table";
import { renderIngressRoute, renderMiddlewares, renderServersTransports, renderTcpMiddlewares, renderTcpRoutes } from "../../components/routes/traefik-resources";
import { EDGE, PUBLISHED } from "./fixtures";

const table = renderRouteTable([PUBLISHED.orthanc]);

describe("routes: route table and Traefik resources", () => {
    it("serves Orthanc under /orthanc/ (prefix stripped) and DICOMweb at /dicom-web/", () => {
        assert.deepEqual(
            table.web.map((r) => [r.path, r.service.name, r.service.port, r.stripPath]),
            [
                ["/orthanc", "pacstack-orthanc", 8042, true],
                ["/dicom-web", "pacstack-orthanc", 8042, false],
            ],
        );
    });

    it("passes the DICOM entrypoint's TLS through to Orthanc's DICOM port (HostSNI(*)), capped per client address", () => {
        const [tcp] = renderTcpRoutes(EDGE, table);
        assert.deepEqual(tcp.spec, {
            entryPoints: ["dicom"],
            routes: [{ match: "HostSNI(`*`)", middlewares: [{ name: "pacstack-routes-tcp-connections-per-source" }], services: [{ name: "pacstack-orthanc", port: 4242 }] }],
            tls: { passthrough: true },
        });
        assert.deepEqual(renderTcpMiddlewares(EDGE, table), [
            {
                apiVersion: "traefik.io/v1alpha1",
                kind: "MiddlewareTCP",
                metadata: { name: "pacstack-routes-tcp-connections-per-source", namespace: "pacstack" },
                spec: { inFlightConn: { amount: 16 } },
            },
        ]);
    });

    it("admits only the modalities' networks on every TCP route when source ranges are given", () => {
        const edge = { ...EDGE, tcp: { connectionsPerSource: 4, sourceRanges: ["10.20.0.0/16", "2001:db8::/32"] } };
        const both = renderRouteTable([PUBLISHED.orthanc, PUBLISHED.dcm4chee]);
        const routes = renderTcpRoutes(edge, both);
        assert.equal(routes.length, 3, "Orthanc's DICOM, dcm4chee's DICOM and HL7");
        for (const route of routes) {
            assert.deepEqual(route.spec.routes[0].middlewares, [{ name: "pacstack-routes-tcp-connections-per-source" }, { name: "pacstack-routes-tcp-source-ranges" }]);
            assert.deepEqual(route.spec.tls, { passthrough: true });
        }
        const middlewares = renderTcpMiddlewares(edge, both);
        assert.deepEqual(middlewares.map((m) => m.spec), [{ inFlightConn: { amount: 4 } }, { ipAllowList: { sourceRange: ["10.20.0.0/16", "2001:db8::/32"] } }]);
        assert.deepEqual(renderTcpMiddlewares(edge, renderRouteTable([PUBLISHED.viewer()])), [], "no TCP route, no MiddlewareTCP");
    });

    it("reaches Orthanc over HTTPS, verified by a ServersTransport trusting only the pacstack CA for the Service's name", () => {
        const route = renderIngressRoute(EDGE, table);
        for (const router of route.spec.routes) {
            assert.deepEqual(router.services, [
                { kind: "Service", name: "pacstack-orthanc", port: 8042, scheme: "https", serversTransport: "pacstack-routes-to-pacstack-orthanc" },
            ]);
        }
        const transports = renderServersTransports(EDGE, table);
        assert.deepEqual(transports, [
            {
                apiVersion: "traefik.io/v1alpha1",
                kind: "ServersTransport",
                metadata: { name: "pacstack-routes-to-pacstack-orthanc", namespace: "pacstack" },
                spec: { insecureSkipVerify: false, rootCAs: [{ secret: "pacstack-orthanc-https-tls" }], serverName: "pacstack-orthanc.pacstack.svc" },
            },
        ]);
    });

    it("keeps plain HTTP to backends that publish no TLS, and refuses one Service published with two TLS settings", () => {
        const mixed = renderRouteTable([PUBLISHED.orthanc, PUBLISHED.dcm4chee, PUBLISHED.viewer()]);
        const plain = renderIngressRoute(EDGE, mixed).spec.routes.flatMap((r) => r.services).filter((s) => s.name === "pacstack-viewer");
        assert.ok(plain.length > 0);
        for (const service of plain) assert.deepEqual(Object.keys(service).sort(), ["kind", "name", "port"]);
        assert.deepEqual(renderServersTransports(EDGE, mixed).map((t) => t.spec.serverName), ["pacstack-dcm4chee.pacstack.svc", "pacstack-orthanc.pacstack.svc"]);
        const other = structuredClone(mixed);
        other.web[1].service.tls = { serverName: "elsewhere", caSecretName: "pacstack-orthanc-https-tls" };
        assert.throws(() => renderServersTransports(EDGE, other), /pacstack-orthanc is published with two different TLS settings/);
    });

    it("binds web routes to websecure only, with the TLS secret and security headers on every router", () => {
        const route = renderIngressRoute(EDGE, table);
        assert.deepEqual(route.spec.entryPoints, ["websecure"]);
        assert.deepEqual(route.spec.tls, { secretName: "pacstack-web-tls" });
        for (const router of route.spec.routes) {
            assert.equal(router.middlewares[0].name, "pacstack-routes-security-headers");
            assert.ok(router.middlewares.some((m) => m.name.startsWith("pacstack-routes-web-auth")), `${router.match} has no basicAuth`);
            assert.match(router.match, /^Host\(`pacs\.example\.org`\) && /);
        }
    });

    it("applies the upload limit to writes only, so downloads stream", () => {
        const route = renderIngressRoute(EDGE, table);
        const limited = route.spec.routes.filter((r) => r.middlewares.some((m) => m.name === "pacstack-routes-upload-limit"));
        assert.equal(limited.length, table.web.length);
        assert.ok(limited.every((r) => r.match.endsWith("&& (Method(`POST`) || Method(`PUT`))")));
        const limit = renderMiddlewares(EDGE, table).find((m) => m.metadata.name === "pacstack-routes-upload-limit") as any;
        assert.equal(limit.spec.buffering.maxRequestBodyBytes, 2048 * 1024 * 1024);
    });

    it("matches /orthanc exactly or below /orthanc/, never /orthancfoo", () => {
        const route = renderIngressRoute(EDGE, table);
        assert.match(route.spec.routes[1].match, /\(Path\(`\/orthanc`\) \|\| PathPrefix\(`\/orthanc\/`\)\)/);
    });

    it("sends HSTS for a year on every answer", () => {
        const headers = renderMiddlewares(EDGE, table).find((m) => m.metadata.name === "pacstack-routes-security-headers") as any;
        assert.equal(headers.spec.headers.stsSeconds, 31536000);
        assert.equal(headers.spec.headers.forceSTSHeader, true);
        assert.equal(headers.spec.headers.contentTypeNosniff, true);
    });
});
