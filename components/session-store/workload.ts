import { ContainerResources } from "../config/platform";
import { CERTIFICATES_CHECKSUM_ANNOTATION, appLabels, contentChecksum, selectorLabels } from "../kube/metadata";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kube/security";
import { renderClusterIpService } from "../kube/service";
import { SESSION_STORE_APP, SESSION_STORE_PORT, SESSION_STORE_UID, SessionStoreConfigInput } from "./settings";

/** Where the pod mounts its files. */
export const SESSION_STORE_MOUNTS = { config: "/etc/pacstack/session-store/config", acl: "/etc/pacstack/session-store/acl", tls: "/etc/pacstack/session-store/tls", data: "/data" } as const;
export const SESSION_STORE_CONFIG_FILE = "valkey.conf";
/** Key of the store's Secret holding the ACL file, and the one holding oauth2-proxy's password. */
export const SESSION_STORE_SECRET_KEYS = { acl: "users.acl", password: "password" } as const;

/** The configuration input as the pod mounts it (the files of the Secrets and ConfigMap below). */
export function podSessionStoreConfig(maxMemoryMiB: number): SessionStoreConfigInput {
    return {
        tls: { certFile: `${SESSION_STORE_MOUNTS.tls}/tls.crt`, keyFile: `${SESSION_STORE_MOUNTS.tls}/tls.key`, caFile: `${SESSION_STORE_MOUNTS.tls}/ca.crt` },
        aclFile: `${SESSION_STORE_MOUNTS.acl}/${SESSION_STORE_SECRET_KEYS.acl}`,
        dir: SESSION_STORE_MOUNTS.data,
        maxMemoryMiB,
    };
}

export interface SessionStoreWorkloadInput {
    name: string;
    namespace: string;
    image: string;
    resources: ContainerResources;
    /** The rendered configuration file (hashed into the pod template). */
    config: string;
    configMapName: string;
    /** The Secret with the ACL file. */
    secretName: string;
    /** The kubernetes.io/tls Secret of the store's certificate. */
    tlsSecretName: string;
    /** Certificates.checksumOf the TLS Secret: a renewed certificate rolls the pod. */
    certificatesChecksum?: string;
    /** Checksum of the ACL (not the ACL): a changed password rolls the pod. */
    aclChecksum: string;
}

/**
 * One Valkey pod. One replica: a second would be a second, separate store (Valkey's replication and Sentinel are
 * not worth it for sessions, which a restart only asks people to renew by signing in again).
 */
export function renderSessionStoreDeployment(input: SessionStoreWorkloadInput) {
    const labels = appLabels(SESSION_STORE_APP, input.name);
    const probe = (periodSeconds: number) => ({ tcpSocket: { port: "valkey-tls" }, periodSeconds, timeoutSeconds: 3, failureThreshold: 3 });
    return {
        apiVersion: "apps/v1" as const,
        kind: "Deployment" as const,
        metadata: { labels, name: input.name, namespace: input.namespace },
        spec: {
            replicas: 1,
            // Never two stores at once: a second pod would hold none of the first one's sessions.
            strategy: { type: "Recreate" },
            selector: { matchLabels: selectorLabels(SESSION_STORE_APP, input.name) },
            template: {
                metadata: {
                    annotations: {
                        "pacstack.io/config-checksum": contentChecksum(input.config, input.aclChecksum),
                        ...(input.certificatesChecksum ? { [CERTIFICATES_CHECKSUM_ANNOTATION]: input.certificatesChecksum } : {}),
                    },
                    labels,
                },
                spec: {
                    automountServiceAccountToken: false,
                    containers: [
                        {
                            // The image's entrypoint is bypassed: it would change file owners, which a non-root pod cannot.
                            command: ["valkey-server", `${SESSION_STORE_MOUNTS.config}/${SESSION_STORE_CONFIG_FILE}`],
                            image: input.image,
                            imagePullPolicy: "IfNotPresent",
                            livenessProbe: probe(20),
                            name: "valkey",
                            ports: [{ containerPort: SESSION_STORE_PORT, name: "valkey-tls", protocol: "TCP" }],
                            readinessProbe: probe(10),
                            resources: input.resources,
                            securityContext: restrictedContainerSecurityContext(),
                            volumeMounts: [
                                { mountPath: SESSION_STORE_MOUNTS.config, name: "config", readOnly: true },
                                { mountPath: SESSION_STORE_MOUNTS.acl, name: "acl", readOnly: true },
                                { mountPath: SESSION_STORE_MOUNTS.tls, name: "tls", readOnly: true },
                                { mountPath: SESSION_STORE_MOUNTS.data, name: "data" },
                                { mountPath: "/tmp", name: "tmp" },
                            ],
                        },
                    ],
                    enableServiceLinks: false,
                    securityContext: restrictedPodSecurityContext(SESSION_STORE_UID),
                    serviceAccountName: input.name,
                    volumes: [
                        { configMap: { items: [{ key: SESSION_STORE_CONFIG_FILE, path: SESSION_STORE_CONFIG_FILE }], name: input.configMapName }, name: "config" },
                        { name: "acl", secret: { defaultMode: 0o440, items: [{ key: SESSION_STORE_SECRET_KEYS.acl, path: SESSION_STORE_SECRET_KEYS.acl }], secretName: input.secretName } },
                        {
                            name: "tls",
                            secret: {
                                defaultMode: 0o440,
                                items: ["tls.crt", "tls.key", "ca.crt"].map((key) => ({ key, path: key })),
                                secretName: input.tlsSecretName,
                            },
                        },
                        { emptyDir: { sizeLimit: "64Mi" }, name: "data" },
                        { emptyDir: { sizeLimit: "16Mi" }, name: "tmp" },
                    ],
                },
            },
        },
    };
}

export function renderSessionStoreService(input: Pick<SessionStoreWorkloadInput, "name" | "namespace">) {
    return renderClusterIpService(SESSION_STORE_APP, input, [{ name: "valkey-tls", port: SESSION_STORE_PORT }]);
}
