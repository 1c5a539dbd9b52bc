import assert from "node:assert/strict";
import { archiveEntryPoints } from "./entrypoints";
import { mergeChartValues, renderTraefikArguments } from "../../components/traefik/static-config";
import { METRICS_PORT, TraefikValuesInput, renderTraefikValues } from "../../components/traefik/values";

const input: TraefikValuesInput = {
    image: { registry: "docker.io", repository: "traefik", tag: "v3.7.11" },
    serviceType: "NodePort",
    replicas: 1,
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    watchNamespaces: ["pacstack-ingress", "pacstack"],
    uploadLimitMiB: 2048,
    tcpEntryPoints: archiveEntryPoints({ orthanc: true, dcm4chee: false }),
    exposure: { sourceRanges: [], internal: "", annotations: {} },
};
const args = (extra: Partial<TraefikValuesInput> = {}) => renderTraefikArguments(renderTraefikValues({ ...input, ...extra }), "pacstack-ingress");

describe("traefik: static configuration the chart derives from pacstack's values", () => {
    it("gives the default stack exactly these arguments (chart 41.3.0's pod template)", () => {
        assert.deepEqual(args(), [
            "--global.checkNewVersion=false",
            "--entryPoints.dicom.address=:11112/tcp",
            "--entryPoints.metrics.address=:9100/tcp",
            "--entryPoints.traefik.address=:8080/tcp",
            "--entryPoints.web.address=:8000/tcp",
            "--entryPoints.websecure.address=:8443/tcp",
            "--api.dashboard=false",
            "--ping=true",
            "--metrics.prometheus=true",
            "--metrics.prometheus.entrypoint=metrics",
            "--providers.kubernetescrd",
            "--providers.kubernetescrd.allowEmptyServices=true",
            "--providers.kubernetescrd.disableClusterScopeResources=true",
            "--providers.kubernetescrd.namespaces=pacstack-ingress,pacstack",
            "--entryPoints.dicom.transport.respondingTimeouts.readTimeout=5s",
            "--entryPoints.web.http.redirections.entryPoint.to=:30443",
            "--entryPoints.web.http.redirections.entryPoint.scheme=https",
            "--entryPoints.web.http.redirections.entryPoint.permanent=true",
            "--entryPoints.websecure.http.tls=true",
            "--entryPoints.websecure.transport.respondingTimeouts.readTimeout=1800s",
            "--entryPoints.websecure.transport.respondingTimeouts.writeTimeout=0s",
            "--entryPoints.websecure.transport.respondingTimeouts.idleTimeout=180s",
            "--log.format=json",
            "--log.level=INFO",
            "--accesslog=true",
            "--accesslog.format=json",
            "--accesslog.fields.defaultmode=keep",
            "--accesslog.fields.headers.defaultmode=drop",
            "--accesslog.fields.queryparameters.defaultmode=drop",
        ]);
    });

    it("redirects to the port users reach: 443 behind a load balancer", () => {
        assert.ok(args({ serviceType: "LoadBalancer" }).includes("--entryPoints.web.http.redirections.entryPoint.to=:443"));
    });

    it("listens for DICOM only for the deployed archives", () => {
        const addresses = (dicom: { orthanc: boolean; dcm4chee: boolean }) => args({ tcpEntryPoints: archiveEntryPoints(dicom) }).filter((a) => /^--entryPoints\.dicom[-a-z0-9]*\.address/.test(a));
        assert.deepEqual(addresses({ orthanc: false, dcm4chee: true }), ["--entryPoints.dicom-dcm4chee.address=:11113/tcp"]);
        assert.deepEqual(addresses({ orthanc: true, dcm4chee: true }), ["--entryPoints.dicom.address=:11112/tcp", "--entryPoints.dicom-dcm4chee.address=:11113/tcp"]);
    });

    it("follows rbac.namespaced as the chart does (no cluster-scoped reads)", () => {
        assert.ok(args().includes("--providers.kubernetescrd.disableClusterScopeResources=true"));
        const clusterWide = { ...renderTraefikValues(input), rbac: { enabled: true, namespaced: false } };
        assert.ok(!renderTraefikArguments(clusterWide, "pacstack-ingress").some((a) => a.includes("disableClusterScopeResources")));
    });

    it("serves metrics on the port its NetworkPolicy opens to the monitoring namespace", () => {
        assert.ok(args().includes(`--entryPoints.metrics.address=:${METRICS_PORT}/tcp`));
    });

    it("refuses a value it does not translate, so no setting escapes the real-Traefik tests", () => {
        const values = renderTraefikValues(input) as Record<string, any>;
        assert.throws(() => renderTraefikArguments({ ...values, tracing: { sampleRate: 1 } }, "ns"), /values\.tracing is not translated/);
        assert.throws(() => renderTraefikArguments({ ...values, accessLog: { ...values.accessLog, filePath: "/x" } }, "ns"), /values\.accessLog\.filePath is not translated/);
        assert.throws(() => renderTraefikArguments({ ...values, ports: { ...values.ports, web: { ...values.ports.web, proxyProtocol: {} } } }, "ns"), /ports\.web\.proxyProtocol/);
        assert.throws(() => renderTraefikArguments({ ...values, providers: { ...values.providers, kubernetesIngress: { enabled: true } } }, "ns"), /Ingress provider/);
    });

    it("merges values over the chart's defaults as Helm does (objects by key, everything else replaced)", () => {
        assert.deepEqual(mergeChartValues({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, e: 3 }), { a: { b: 1, c: [2] }, d: 1, e: 3 });
    });
});
