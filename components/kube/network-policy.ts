/** Pure renderers for NetworkPolicy objects: a default deny per namespace plus explicit allows. */

export interface NetworkPolicyDoc {
    apiVersion: "networking.k8s.io/v1";
    kind: "NetworkPolicy";
    metadata: { name: string; namespace: string; labels?: Record<string, string> };
    spec: NetworkPolicySpec;
}

export interface NetworkPolicySpec {
    podSelector: { matchLabels?: Record<string, string> };
    policyTypes: ("Ingress" | "Egress")[];
    ingress?: Record<string, unknown>[];
    egress?: Record<string, unknown>[];
}

/** Pods chosen by labels, optionally in another namespace. */
export interface Peer {
    namespace?: string;
    podLabels: Record<string, string>;
}

export interface PortSpec {
    port: number;
    protocol?: "TCP" | "UDP";
}

function policy(name: string, namespace: string, spec: NetworkPolicySpec): NetworkPolicyDoc {
    return { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: { name, namespace }, spec };
}

function peerSelector(peer: Peer, from: string) {
    const selector: Record<string, unknown> = { podSelector: { matchLabels: peer.podLabels } };
    if (peer.namespace && peer.namespace !== from) {
        selector.namespaceSelector = { matchLabels: { "kubernetes.io/metadata.name": peer.namespace } };
    }
    return selector;
}

function ports(list: PortSpec[]) {
    return list.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" }));
}

/** Denies all ingress and egress for every pod in the namespace. */
export function defaultDeny(namespace: string): NetworkPolicyDoc {
    return policy("default-deny", namespace, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
}

/** Lets every pod in the namespace resolve names through the cluster DNS. */
export function allowDns(namespace: string): NetworkPolicyDoc {
    return policy("allow-dns", namespace, {
        egress: [
            {
                ports: ports([{ port: 53, protocol: "UDP" }, { port: 53 }]),
                to: [
                    {
                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                        podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                    },
                ],
            },
        ],
        podSelector: {},
        policyTypes: ["Egress"],
    });
}

/** Lets `from` pods open connections to `to` pods on the given ports: egress on one side, ingress on the other. */
export function allowTraffic(name: string, from: Peer & { namespace: string }, to: Peer & { namespace: string }, list: PortSpec[]): NetworkPolicyDoc[] {
    const docs = [
        policy(`${name}-ingress`, to.namespace, {
            ingress: [{ from: [peerSelector(from, to.namespace)], ports: ports(list) }],
            podSelector: { matchLabels: to.podLabels },
            policyTypes: ["Ingress"],
        }),
    ];
    docs.push(
        policy(`${name}-egress`, from.namespace, {
            egress: [{ ports: ports(list), to: [peerSelector(to, from.namespace)] }],
            podSelector: { matchLabels: from.podLabels },
            policyTypes: ["Egress"],
        }),
    );
    return docs;
}

/** Lets any source reach `to` pods on the given ports (a public entrypoint). */
export function allowFromAnywhere(name: string, to: Peer & { namespace: string }, list: PortSpec[]): NetworkPolicyDoc {
    return policy(name, to.namespace, {
        ingress: [{ ports: ports(list) }],
        podSelector: { matchLabels: to.podLabels },
        policyTypes: ["Ingress"],
    });
}

/**
 * Lets pods reach the Kubernetes API. Its address is not a pod, so no selector can name it; the
 * allow is limited to the API ports.
 */
export function allowKubernetesApi(name: string, from: Peer & { namespace: string }): NetworkPolicyDoc {
    return policy(name, from.namespace, {
        egress: [{ ports: ports([{ port: 443 }, { port: 6443 }, { port: 16443 }]) }],
        podSelector: { matchLabels: from.podLabels },
        policyTypes: ["Egress"],
    });
}
