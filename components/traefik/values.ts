import { ContainerResources, NODE_PORTS } from "../config/platform";
import { ImageRef } from "../config/image";
import { restrictedContainerSecurityContext } from "../kube/security";

export const TRAEFIK_CHART = "traefik";
export const TRAEFIK_REPOSITORY = "https://traefik.github.io/charts";
/** Container ports of the entrypoints (non-root, so above 1024); the Service maps them to 80/443/11112. */
export const ENTRYPOINT_PORTS = { web: 8000, websecure: 8443, dicom: 11112 } as const;
export const DICOM_ENTRYPOINT = "dicom";
/** dcm4chee's DICOM-TLS, passed through like Orthanc's, on its own port (container, Service and default node port). */
export const DCM4CHEE_DICOM_ENTRYPOINT = "dicom-dcm4chee";
export const DCM4CHEE_DICOM_PORT = 11113;
export const WEB_ENTRYPOINT = "websecure";
export const TRAEFIK_UID = 65532;

export interface TraefikValuesInput {
    image: ImageRef;
    serviceType: "NodePort" | "LoadBalancer";
    replicas: number;
    resources: ContainerResources;
    /** Namespaces whose IngressRoutes, Middlewares and TLSOptions Traefik reads. */
    watchNamespaces: string[];
    /** Largest request body accepted, in MiB: uploads are buffered to /tmp up to this size. */
    uploadLimitMiB: number;
    /**
     * Open the dcm4chee DICOM-TLS entrypoint (port 11113).
     * @default false
     */
    dcm4cheeDicom?: boolean;
}

/** The container ports Traefik listens on for the given values (for its NetworkPolicy). */
export function entrypointPorts(dcm4cheeDicom: boolean): number[] {
    return [...Object.values(ENTRYPOINT_PORTS), ...(dcm4cheeDicom ? [DCM4CHEE_DICOM_PORT] : [])];
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
    const tmpMiB = Math.max(4096, 2 * input.uploadLimitMiB);
    return {
        accessLog: { enabled: true, format: "json" },
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
            [DICOM_ENTRYPOINT]: {
                expose: { default: true },
                port: ENTRYPOINT_PORTS.dicom,
                protocol: "TCP",
                ...exposed(11112, NODE_PORTS.dicom),
            },
            ...(input.dcm4cheeDicom
                ? {
                      [DCM4CHEE_DICOM_ENTRYPOINT]: {
                          expose: { default: true },
                          port: DCM4CHEE_DICOM_PORT,
                          protocol: "TCP",
                          ...exposed(DCM4CHEE_DICOM_PORT, NODE_PORTS.dicomDcm4chee),
                      },
                  }
                : {}),
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
        resources: input.resources,
        securityContext: restrictedContainerSecurityContext(),
        service: { spec: { type: input.serviceType } },
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
