import { ContainerResources, NODE_PORTS } from "../config/platform";
import { INTERNAL_LOAD_BALANCERS, LoadBalancerExposure } from "../config/exposure";
import { ImageRef } from "../config/image";
import { restrictedContainerSecurityContext } from "../kube/security";

export const TRAEFIK_CHART = "traefik";
export const TRAEFIK_REPOSITORY = "https://traefik.github.io/charts";
/** Container ports of the web entrypoints (non-root, so above 1024); the Service maps them to 80/443. */
export const ENTRYPOINT_PORTS = { web: 8000, websecure: 8443 } as const;
export const WEB_ENTRYPOINT = "websecure";
export const TRAEFIK_UID = 65532;
/** Port of the chart's `metrics` entrypoint (Prometheus, on by default in chart 41.x; static-config.test.ts checks it). */
export const METRICS_PORT = 9100;
/**
 * How long a TCP entrypoint waits for a client's TLS ClientHello before closing the connection. Traefik reads the
 * ClientHello (TLS passthrough routes) before it connects to the backend, so an idle or trickling connection is
 * held here and never reaches the archive's DICOM listener, which would wait a minute for it with every other
 * association blocked. Modalities send their ClientHello as soon as they connect. After the ClientHello Traefik
 * lifts the deadline, so long associations are not cut.
 */
export const TCP_CLIENT_HELLO_TIMEOUT = "5s";

export interface TraefikValuesInput {
    image: ImageRef;
    serviceType: "NodePort" | "LoadBalancer";
    replicas: number;
    resources: ContainerResources;
    /** Namespaces whose IngressRoutes, Middlewares and TLSOptions Traefik reads. */
    watchNamespaces: string[];
    /** Largest request body accepted, in MiB: uploads are buffered to /tmp up to this size. */
    uploadLimitMiB: number;
    /** Raw TCP entrypoints the platform's components publish (DICOM-TLS passed through): one per deployed archive. */
    tcpEntryPoints: TcpEntryPoint[];
    /** Who may reach the Service and how clouds expose it. */
    exposure: LoadBalancerExposure;
}

/** A raw TCP entrypoint: its name, the port Traefik listens on and the load balancer exposes, its node port. */
export interface TcpEntryPoint {
    entryPoint: string;
    port: number;
    nodePort: number;
}

/** Annotations that make each cloud's controller create an internal load balancer. */
export const INTERNAL_LB_ANNOTATIONS: Record<(typeof INTERNAL_LOAD_BALANCERS)[number], Record<string, string>> = {
    // AWS Load Balancer Controller (scheme) and the legacy in-tree controller (internal).
    aws: { "service.beta.kubernetes.io/aws-load-balancer-internal": "true", "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" },
    azure: { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" },
    gcp: { "networking.gke.io/load-balancer-type": "Internal" },
};

/** The container ports Traefik listens on (for its NetworkPolicy): the web entrypoints, then the TCP ones. */
export function entrypointPorts(tcpEntryPoints: TcpEntryPoint[]): number[] {
    return [ENTRYPOINT_PORTS.web, ENTRYPOINT_PORTS.websecure, ...tcpEntryPoints.map((e) => e.port)];
}

/**
 * Uploads Traefik's buffering middleware holds at once on one pod, at the upload limit each. Bodies above 4 MiB
 * are written to /tmp until complete, so the /tmp volume and the pod's ephemeral storage are sized for this many.
 */
export const CONCURRENT_MAX_UPLOADS = 2;
/** Room on /tmp beyond the uploads, and for the container's logs beyond /tmp, in MiB. */
const TMP_HEADROOM_MIB = 256;
const LOG_HEADROOM_MIB = 256;

/** Size of Traefik's /tmp volume and its ephemeral-storage request (= limit), in MiB. */
export function uploadBufferSizing(uploadLimitMiB: number) {
    const tmpMiB = CONCURRENT_MAX_UPLOADS * uploadLimitMiB + TMP_HEADROOM_MIB;
    return { tmpMiB, ephemeralStorageMiB: tmpMiB + LOG_HEADROOM_MIB };
}

/**
 * Read timeout of the HTTPS entrypoint. Traefik 3 cuts any request whose body takes longer than 60 s to
 * arrive; a 2 GiB study over a 20 Mbit/s link takes about 15 minutes.
 */
export const UPLOAD_READ_TIMEOUT = "1800s";

/** Values for the traefik chart (41.x). Paths checked against that chart's values.yaml and its JSON schema. */
export function renderTraefikValues(input: TraefikValuesInput): Record<string, unknown> {
    // On node ports the Service port equals the node port, so HTTP→HTTPS redirects name the port users reach.
    const exposed = (port: number, nodePort: number) =>
        input.serviceType === "NodePort" ? { exposedPort: nodePort, nodePort } : { exposedPort: port };
    const { tmpMiB, ephemeralStorageMiB } = uploadBufferSizing(input.uploadLimitMiB);
    const ephemeral = { "ephemeral-storage": `${ephemeralStorageMiB}Mi` };
    const loadBalancer = input.serviceType === "LoadBalancer";
    const annotations = { ...(loadBalancer && input.exposure.internal ? INTERNAL_LB_ANNOTATIONS[input.exposure.internal] : {}), ...input.exposure.annotations };
    return {
        accessLog: {
            enabled: true,
            format: "json",
            // Query strings carry search terms (QIDO-RS PatientName=...): never written to the log. No headers either.
            fields: { defaultMode: "keep", headers: { defaultMode: "drop" }, queryParameters: { defaultMode: "drop" } },
        },
        // No route exposes it, but the dashboard API would still answer on the internal port.
        api: { dashboard: false },
        deployment: { replicas: input.replicas, tmpVolume: { emptyDir: { sizeLimit: `${tmpMiB}Mi` } } },
        global: { checkNewVersion: false, sendAnonymousUsage: false },
        image: { registry: input.image.registry, repository: input.image.repository, tag: input.image.tag },
        ingressClass: { enabled: false },
        ingressRoute: { dashboard: { enabled: false } },
        log: { format: "json", level: "INFO" },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        podSecurityContext: {
            runAsGroup: TRAEFIK_UID,
            runAsNonRoot: true,
            runAsUser: TRAEFIK_UID,
            seccompProfile: { type: "RuntimeDefault" },
        },
        ports: {
            ...Object.fromEntries(
                input.tcpEntryPoints.map((e) => [
                    e.entryPoint,
                    {
                        expose: { default: true },
                        port: e.port,
                        protocol: "TCP",
                        transport: { respondingTimeouts: { readTimeout: TCP_CLIENT_HELLO_TIMEOUT } },
                        ...exposed(e.port, e.nodePort),
                    },
                ]),
            ),
            web: {
                http: { redirections: { entryPoint: { permanent: true, scheme: "https", to: WEB_ENTRYPOINT } } },
                port: ENTRYPOINT_PORTS.web,
                ...exposed(80, NODE_PORTS.web),
            },
            [WEB_ENTRYPOINT]: {
                http: { tls: { enabled: true } },
                port: ENTRYPOINT_PORTS.websecure,
                transport: { respondingTimeouts: { idleTimeout: "180s", readTimeout: UPLOAD_READ_TIMEOUT, writeTimeout: "0s" } },
                ...exposed(443, NODE_PORTS.websecure),
            },
        },
        providers: {
            kubernetesCRD: { allowCrossNamespace: false, enabled: true, namespaces: input.watchNamespaces },
            kubernetesIngress: { enabled: false },
        },
        // Roles in the namespaces Traefik serves instead of a ClusterRole that reads every Secret in the cluster.
        rbac: { enabled: true, namespaced: true },
        resources: { requests: { ...input.resources.requests, ...ephemeral }, limits: { ...input.resources.limits, ...ephemeral } },
        securityContext: restrictedContainerSecurityContext(),
        service: {
            ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
            spec: {
                type: input.serviceType,
                // Local: the load balancer sends traffic only to nodes running Traefik, without SNAT, so Traefik,
                // Orthanc's host checks and the access log see the caller's address. Node ports keep Cluster: a
                // node without a Traefik pod must still forward what reaches its port.
                ...(loadBalancer ? { externalTrafficPolicy: "Local" } : {}),
                ...(loadBalancer && input.exposure.sourceRanges.length > 0 ? { loadBalancerSourceRanges: input.exposure.sourceRanges } : {}),
            },
        },
    };
}

/** Traefik's cluster-wide default TLSOption: TLS 1.2 or newer, forward-secret AEAD suites for TLS 1.2. */
export function renderDefaultTlsOption(namespace: string) {
    return {
        apiVersion: "traefik.io/v1alpha1",
        kind: "TLSOption",
        // Only a TLSOption named "default" applies to routes that name none; there may be one in the cluster.
        metadata: { name: "default", namespace },
        spec: {
            cipherSuites: [
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
            ],
            minVersion: "VersionTLS12",
            sniStrict: false,
        },
    };
}
