import assert from "node:assert/strict";
import { DCM4CHEE_DICOM_PORT, archiveEntryPoints } from "./entrypoints";
import { NODE_PORTS } from "../../components/config/platform";
import {
    CONCURRENT_MAX_UPLOADS,
    INTERNAL_LB_ANNOTATIONS,
    UPLOAD_READ_TIMEOUT,
    entrypointPorts,
    renderDefaultTlsOption,
    renderTraefikValues,
    TraefikValuesInput,
} from "../../components/traefik/values";
import { renderMiddlewares } from "../../components/routes/traefik-resources";
import { renderRouteTable } from "../../components/routes/table";
import { EDGE } from "../routes/fixtures";

const input: TraefikValuesInput = {
    image: { registry: "docker.io", repository: "traefik", tag: "v3.7.11" },
    serviceType: "NodePort" as const,
    replicas: 1,
    resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    watchNamespaces: ["pacstack-ingress", "pacstack"],
    uploadLimitMiB: 2048,
    tcpEntryPoints: archiveEntryPoints({ orthanc: true, dcm4chee: false }),
    exposure: { sourceRanges: [], internal: "", annotations: {} },
};
const values = renderTraefikValues(input) as Record<string, any>;
const cloud = (extra: Partial<typeof input> = {}) => renderTraefikValues({ ...input, serviceType: "LoadBalancer", ...extra }) as Record<string, any>;

/** Mebibytes of a Kubernetes quantity in Mi. */
const mebibytes = (quantity: string) => {
    assert.match(quantity, /^[0-9]+Mi$/);
    return Number(quantity.slice(0, -2));
};

describe("traefik: chart values renderer", () => {
    it("redirects HTTP to HTTPS permanently (chart >= 39 syntax)", () => {
        assert.deepEqual(values.ports.web.http.redirections, { entryPoint: { permanent: true, scheme: "https", to: "websecure" } });
    });

    it("opens websecure with TLS and a read timeout long enough for large uploads", () => {
        assert.deepEqual(values.ports.websecure.http.tls, { enabled: true });
        assert.equal(values.ports.websecure.transport.respondingTimeouts.readTimeout, UPLOAD_READ_TIMEOUT);
    });

    it("adds a raw TCP entrypoint for DICOM on 11112 that waits 5 s for a client's TLS ClientHello", () => {
        const helloWait = { transport: { respondingTimeouts: { readTimeout: "5s" } } };
        assert.deepEqual(cloud().ports.dicom, { expose: { default: true }, exposedPort: 11112, port: 11112, protocol: "TCP", ...helloWait });
        assert.deepEqual(values.ports.dicom, { expose: { default: true }, exposedPort: NODE_PORTS.dicom, nodePort: NODE_PORTS.dicom, port: 11112, protocol: "TCP", ...helloWait });
    });

    it("uses fixed node ports on minikube/MicroK8s and a LoadBalancer on cloud", () => {
        assert.equal(values.service.spec.type, "NodePort");
        assert.equal(values.ports.websecure.nodePort, NODE_PORTS.websecure);
        assert.equal(values.ports.websecure.exposedPort, NODE_PORTS.websecure, "redirects from :30080 must name :30443");
        assert.equal(cloud().service.spec.type, "LoadBalancer");
        assert.equal("nodePort" in cloud().ports.websecure, false);
        assert.equal(cloud().ports.websecure.exposedPort, 443);
    });

    it("sizes /tmp and the pod's ephemeral storage for the stated number of concurrent maximum uploads", () => {
        for (const uploadLimitMiB of [1, 2048, 10240]) {
            const rendered = renderTraefikValues({ ...input, uploadLimitMiB }) as Record<string, any>;
            // What the buffering middleware may write to /tmp: every body above memRequestBodyBytes, up to the limit.
            const limit = renderMiddlewares({ ...EDGE, uploadLimitMiB }, renderRouteTable([])).find((m) => "buffering" in m.spec) as any;
            const bufferedMiB = (CONCURRENT_MAX_UPLOADS * limit.spec.buffering.maxRequestBodyBytes) / (1024 * 1024);
            const tmpMiB = mebibytes(rendered.deployment.tmpVolume.emptyDir.sizeLimit);
            assert.ok(tmpMiB >= bufferedMiB, `${CONCURRENT_MAX_UPLOADS} uploads of ${uploadLimitMiB} MiB need ${bufferedMiB} MiB, /tmp holds ${tmpMiB}`);
            const { requests, limits } = rendered.resources;
            assert.equal(requests["ephemeral-storage"], limits["ephemeral-storage"], "request = limit: the scheduler reserves what the pod may use");
            assert.ok(mebibytes(limits["ephemeral-storage"]) > tmpMiB, "the pod's ephemeral storage holds /tmp and the container's logs");
            assert.deepEqual({ cpu: requests.cpu, memory: requests.memory }, input.resources.requests);
        }
        assert.equal(CONCURRENT_MAX_UPLOADS, 2, "README states two concurrent maximum-size uploads per Traefik pod");
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

    it("asks for Roles in the namespaces it serves, not a ClusterRole that reads every Secret (rbac.apiserver.test.ts proves it)", () => {
        assert.deepEqual(values.rbac, { enabled: true, namespaced: true });
    });
});

describe("traefik: one DICOM-TLS entrypoint per deployed archive", () => {
    const ports = (dicom: { orthanc: boolean; dcm4chee: boolean }) => Object.keys((renderTraefikValues({ ...input, tcpEntryPoints: archiveEntryPoints(dicom) }) as any).ports).sort();

    it("opens Orthanc's 11112 only with Orthanc and dcm4chee's 11113 only with dcm4chee", () => {
        assert.deepEqual(ports({ orthanc: true, dcm4chee: false }), ["dicom", "web", "websecure"]);
        assert.deepEqual(ports({ orthanc: false, dcm4chee: true }), ["dicom-dcm4chee", "web", "websecure"]);
        assert.deepEqual(ports({ orthanc: true, dcm4chee: true }), ["dicom", "dicom-dcm4chee", "web", "websecure"]);
        assert.deepEqual(entrypointPorts(archiveEntryPoints({ orthanc: false, dcm4chee: true })), [8000, 8443, 11113]);
    });

    it("puts dcm4chee's on 11113 (node port 31113 on minikube/MicroK8s)", () => {
        const dicom = { orthanc: true, dcm4chee: true };
        assert.deepEqual((renderTraefikValues({ ...input, tcpEntryPoints: archiveEntryPoints(dicom) }) as any).ports["dicom-dcm4chee"], {
            expose: { default: true },
            exposedPort: NODE_PORTS.dicomDcm4chee,
            nodePort: NODE_PORTS.dicomDcm4chee,
            port: DCM4CHEE_DICOM_PORT,
            protocol: "TCP",
            transport: { respondingTimeouts: { readTimeout: "5s" } },
        });
        assert.equal(cloud({ tcpEntryPoints: archiveEntryPoints(dicom) }).ports["dicom-dcm4chee"].exposedPort, 11113);
        assert.deepEqual(entrypointPorts(archiveEntryPoints(dicom)), [8000, 8443, 11112, 11113]);
        assert.deepEqual(entrypointPorts(archiveEntryPoints({ orthanc: true, dcm4chee: false })), [8000, 8443, 11112]);
    });
});

describe("traefik: the cloud edge's exposure", () => {
    it("keeps client addresses on the load balancer (externalTrafficPolicy Local), never on node ports", () => {
        assert.equal(cloud().service.spec.externalTrafficPolicy, "Local");
        assert.equal(values.service.spec.externalTrafficPolicy, undefined, "NodePort keeps Cluster: every node forwards");
    });

    it("is open to every address by default and admits only the configured source ranges when given", () => {
        assert.equal(cloud().service.spec.loadBalancerSourceRanges, undefined);
        assert.equal(cloud().service.annotations, undefined);
        const ranges = ["203.0.113.0/24", "2001:db8::/32"];
        assert.deepEqual(cloud({ exposure: { ...input.exposure, sourceRanges: ranges } }).service.spec.loadBalancerSourceRanges, ranges);
    });

    it("asks each cloud for its internal load balancer, with the user's annotations on top", () => {
        for (const internal of ["aws", "azure", "gcp"] as const) {
            assert.deepEqual(cloud({ exposure: { ...input.exposure, internal } }).service.annotations, INTERNAL_LB_ANNOTATIONS[internal]);
        }
        assert.equal(INTERNAL_LB_ANNOTATIONS.azure["service.beta.kubernetes.io/azure-load-balancer-internal"], "true");
        assert.equal(INTERNAL_LB_ANNOTATIONS.gcp["networking.gke.io/load-balancer-type"], "Internal");
        assert.equal(INTERNAL_LB_ANNOTATIONS.aws["service.beta.kubernetes.io/aws-load-balancer-scheme"], "internal");
        const annotations = { "networking.gke.io/load-balancer-type": "External", "example.org/owner": "imaging" };
        assert.deepEqual(cloud({ exposure: { ...input.exposure, internal: "gcp", annotations } }).service.annotations, annotations);
    });
});

describe("traefik: access log", () => {
    it("writes JSON without query strings or headers (QIDO-RS searches carry patient names)", () => {
        assert.deepEqual(values.accessLog, {
            enabled: true,
            format: "json",
            fields: { defaultMode: "keep", headers: { defaultMode: "drop" }, queryParameters: { defaultMode: "drop" } },
        });
    });
});
