import assert from "node:assert/strict";
import { NODE_PORTS } from "../../components/config/platform";
import { DCM4CHEE_DICOM_PORT, UPLOAD_READ_TIMEOUT, entrypointPorts, renderDefaultTlsOption, renderTraefikValues } from "../../components/traefik/values";

const input = {
    image: { registry: "docker.io", repository: "traefik", tag: "v3.7.11" },
    serviceType: "NodePort" as const,
    replicas: 1,
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    watchNamespaces: ["pacstack-ingress", "pacstack"],
    uploadLimitMiB: 2048,
};

describe("traefik: chart values renderer", () => {
    const values = renderTraefikValues(input) as Record<string, any>;

    it("redirects HTTP to HTTPS permanently (chart >= 39 syntax)", () => {
        assert.deepEqual(values.ports.web.http.redirections, { entryPoint: { permanent: true, scheme: "https", to: "websecure" } });
    });

    it("opens websecure with TLS and a read timeout long enough for large uploads", () => {
        assert.deepEqual(values.ports.websecure.http.tls, { enabled: true });
        assert.equal(values.ports.websecure.transport.respondingTimeouts.readTimeout, UPLOAD_READ_TIMEOUT);
    });

    it("adds a raw TCP entrypoint for DICOM on 11112", () => {
        const cloud = renderTraefikValues({ ...input, serviceType: "LoadBalancer" }) as Record<string, any>;
        assert.deepEqual(cloud.ports.dicom, { expose: { default: true }, exposedPort: 11112, port: 11112, protocol: "TCP" });
        assert.deepEqual(values.ports.dicom, { expose: { default: true }, exposedPort: NODE_PORTS.dicom, nodePort: NODE_PORTS.dicom, port: 11112, protocol: "TCP" });
    });

    it("uses fixed node ports on minikube/MicroK8s and a LoadBalancer on cloud", () => {
        assert.equal(values.service.spec.type, "NodePort");
        assert.equal(values.ports.websecure.nodePort, NODE_PORTS.websecure);
        assert.equal(values.ports.websecure.exposedPort, NODE_PORTS.websecure, "redirects from :30080 must name :30443");
        const cloud = renderTraefikValues({ ...input, serviceType: "LoadBalancer" }) as Record<string, any>;
        assert.equal(cloud.service.spec.type, "LoadBalancer");
        assert.equal("nodePort" in cloud.ports.websecure, false);
        assert.equal(cloud.ports.websecure.exposedPort, 443);
    });

    it("sizes the buffer volume for two concurrent maximum uploads", () => {
        assert.equal(values.deployment.tmpVolume.emptyDir.sizeLimit, "4096Mi");
        const big = renderTraefikValues({ ...input, uploadLimitMiB: 10240 }) as Record<string, any>;
        assert.equal(big.deployment.tmpVolume.emptyDir.sizeLimit, "20480Mi");
    });

    it("reads only pacstack's namespaces and serves no dashboard", () => {
        assert.deepEqual(values.providers.kubernetesCRD, { allowCrossNamespace: false, enabled: true, namespaces: input.watchNamespaces });
        assert.equal(values.providers.kubernetesIngress.enabled, false);
        assert.equal(values.ingressRoute.dashboard.enabled, false);
        assert.equal(values.api.dashboard, false);
    });

    it("defines the cluster default TLS option: TLS 1.2 minimum, AEAD suites only", () => {
        const option = renderDefaultTlsOption("pacstack-ingress");
        assert.equal(option.metadata.name, "default");
        assert.equal(option.spec.minVersion, "VersionTLS12");
        assert.ok(option.spec.cipherSuites.every((suite) => /GCM|CHACHA20/.test(suite)));
    });
});

describe("traefik: dcm4chee's DICOM-TLS entrypoint", () => {
    it("is opened only when dcm4chee is deployed, on 11113 (node port 31113 on minikube/MicroK8s)", () => {
        assert.equal((renderTraefikValues(input) as any).ports["dicom-dcm4chee"], undefined);
        assert.deepEqual((renderTraefikValues({ ...input, dcm4cheeDicom: true }) as any).ports["dicom-dcm4chee"], {
            expose: { default: true },
            exposedPort: NODE_PORTS.dicomDcm4chee,
            nodePort: NODE_PORTS.dicomDcm4chee,
            port: DCM4CHEE_DICOM_PORT,
            protocol: "TCP",
        });
        const cloud = renderTraefikValues({ ...input, serviceType: "LoadBalancer", dcm4cheeDicom: true }) as any;
        assert.equal(cloud.ports["dicom-dcm4chee"].exposedPort, 11113);
        assert.deepEqual(entrypointPorts(true), [8000, 8443, 11112, 11113]);
        assert.deepEqual(entrypointPorts(false), [8000, 8443, 11112]);
    });
});
