import { ContainerResources } from "../config/platform";
import { appLabels, contentChecksum, selectorLabels } from "../kube/metadata";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kube/security";
import { APP_CONFIG_FILE, OHIF_APP, OHIF_HTTP_PORT, OHIF_MOUNTS, OHIF_UID, OHIF_WEB_ROOT, publicUrl } from "./paths";
import { renderClusterIpService } from "../kube/service";

export interface OhifWorkloadInput {
    name: string;
    namespace: string;
    image: string;
    replicas: number;
    resources: ContainerResources;
    /** "/" or "/viewer". */
    viewerPath: string;
    /** The rendered app-config.js (hashed into the pod template so a change rolls the pods). */
    appConfig: string;
    configMapName: string;
}

/**
 * The init container copies the image's web root into the emptyDir and adds app-config.js at the path the image's
 * entrypoint compresses (web root + PUBLIC_URL). `cp -a` keeps the precompressed .gz files and their timestamps.
 */
export function renderCopyScript(viewerPath: string): string {
    const target = `${OHIF_MOUNTS.webRootCopy}${publicUrl(viewerPath)}${APP_CONFIG_FILE}`;
    return [
        "set -eu",
        `cp -a ${OHIF_WEB_ROOT}/. ${OHIF_MOUNTS.webRootCopy}/`,
        `rm -f ${target} ${target}.gz`,
        `cp ${OHIF_MOUNTS.config}/${APP_CONFIG_FILE} ${target}`,
    ].join("\n");
}

export function renderOhifDeployment(input: OhifWorkloadInput) {
    const labels = appLabels(OHIF_APP, input.name);
    const selector = selectorLabels(OHIF_APP, input.name);
    const probe = (periodSeconds: number, failureThreshold: number) => ({
        failureThreshold,
        httpGet: { path: publicUrl(input.viewerPath), port: "http" },
        periodSeconds,
        timeoutSeconds: 3,
    });
    const tmp = { mountPath: OHIF_MOUNTS.tmp, name: "tmp" };
    return {
        apiVersion: "apps/v1" as const,
        kind: "Deployment" as const,
        metadata: { labels, name: input.name, namespace: input.namespace },
        spec: {
            replicas: input.replicas,
            selector: { matchLabels: selector },
            template: {
                metadata: {
                    annotations: { "pacstack.io/config-checksum": contentChecksum(input.appConfig) },
                    labels,
                },
                spec: {
                    automountServiceAccountToken: false,
                    containers: [
                        {
                            // No command: the image's entrypoint writes nginx's configuration and compresses app-config.js.
                            env: [
                                { name: "PORT", value: String(OHIF_HTTP_PORT) },
                                { name: "PUBLIC_URL", value: publicUrl(input.viewerPath) },
                            ],
                            image: input.image,
                            imagePullPolicy: "IfNotPresent",
                            livenessProbe: probe(20, 3),
                            name: "nginx",
                            ports: [{ containerPort: OHIF_HTTP_PORT, name: "http", protocol: "TCP" }],
                            readinessProbe: probe(10, 3),
                            resources: input.resources,
                            securityContext: restrictedContainerSecurityContext(),
                            volumeMounts: [
                                { mountPath: OHIF_MOUNTS.webRoot, name: "web-root" },
                                { mountPath: OHIF_MOUNTS.nginxConf, name: "nginx-conf" },
                                { mountPath: OHIF_MOUNTS.cache, name: "cache" },
                                tmp,
                            ],
                        },
                    ],
                    enableServiceLinks: false,
                    initContainers: [
                        {
                            command: ["/bin/sh", "-c", renderCopyScript(input.viewerPath)],
                            image: input.image,
                            imagePullPolicy: "IfNotPresent",
                            name: "web-root",
                            resources: input.resources,
                            securityContext: restrictedContainerSecurityContext(),
                            volumeMounts: [
                                { mountPath: OHIF_MOUNTS.webRootCopy, name: "web-root" },
                                { mountPath: OHIF_MOUNTS.config, name: "config", readOnly: true },
                                tmp,
                            ],
                        },
                    ],
                    securityContext: restrictedPodSecurityContext(OHIF_UID),
                    serviceAccountName: input.name,
                    volumes: [
                        { configMap: { items: [{ key: APP_CONFIG_FILE, path: APP_CONFIG_FILE }], name: input.configMapName }, name: "config" },
                        // The web root of OHIF 3.13 (precompressed) is about 100 MiB.
                        { emptyDir: { sizeLimit: "512Mi" }, name: "web-root" },
                        { emptyDir: { sizeLimit: "1Mi" }, name: "nginx-conf" },
                        { emptyDir: { sizeLimit: "64Mi" }, name: "cache" },
                        { emptyDir: { sizeLimit: "64Mi" }, name: "tmp" },
                    ],
                },
            },
        },
    };
}

export function renderOhifService(input: Pick<OhifWorkloadInput, "name" | "namespace">) {
    return renderClusterIpService(OHIF_APP, input, [{ name: "http", port: OHIF_HTTP_PORT }]);
}
