import { appLabels, selectorLabels } from "./metadata";

export interface ServicePort {
    name: string;
    port: number;
    /** Named container port; defaults to `name`. */
    targetPort?: string;
}

/** A ClusterIP Service selecting the pods of one app instance (labels from appLabels/selectorLabels). */
export function renderClusterIpService(app: string, input: { name: string; namespace: string }, ports: ServicePort[]) {
    return {
        apiVersion: "v1" as const,
        kind: "Service" as const,
        metadata: { labels: appLabels(app, input.name), name: input.name, namespace: input.namespace },
        spec: {
            ports: ports.map((p) => ({ name: p.name, port: p.port, protocol: "TCP", targetPort: p.targetPort ?? p.name })),
            selector: selectorLabels(app, input.name),
            type: "ClusterIP",
        },
    };
}
