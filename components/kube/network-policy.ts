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

/** Where pods resolve names: DNS pods chosen by labels, and addresses (NodeLocal DNSCache, the DNS Service IP). */
export interface DnsPeers {
    /** Namespace of the DNS pods. */
    namespace: string;
    /** Labels of the DNS pods; empty means no pod peer. */
    podLabels: Record<string, string>;
    /** CIDRs of DNS servers that are not pods seen after DNAT (NodeLocal DNSCache's link-local address, ...). */
    cidrs: string[];
    /** Ports the DNS servers listen on (UDP and TCP). */
    ports: number[];
}

/** Where the Kubernetes API is, as pods see it after the `kubernetes` Service's DNAT: endpoint addresses and ports. */
export interface ApiServerPeers {
    cidrs: string[];
    ports: number[];
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

/** Lets every pod in the namespace resolve names through the cluster DNS, wherever the cluster runs it. */
export function allowDns(namespace: string, dns: DnsPeers): NetworkPolicyDoc {
    if (Object.keys(dns.podLabels).length === 0 && dns.cidrs.length === 0) {
        throw new Error("allowDns needs DNS pod labels or CIDRs: a rule without peers would allow every destination");
    }
    const pods = Object.keys(dns.podLabels).length
        ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": dns.namespace } }, podSelector: { matchLabels: dns.podLabels } }]
        : [];
    return policy("allow-dns", namespace, {
        egress: [
            {
                ports: ports(dns.ports.flatMap((port) => [{ port, protocol: "UDP" as const }, { port }])),
                to: [...pods, ...dns.cidrs.map((cidr) => ({ ipBlock: { cidr } }))],
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

/** Lets pods of another namespace (e.g. Prometheus in `monitoring`) reach `to` pods on the given ports. */
export function allowFromNamespace(name: string, to: Peer & { namespace: string }, fromNamespace: string, list: PortSpec[]): NetworkPolicyDoc {
    return policy(name, to.namespace, {
        ingress: [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": fromNamespace } } }], ports: ports(list) }],
        podSelector: { matchLabels: to.podLabels },
        policyTypes: ["Ingress"],
    });
}

/**
 * Lets pods reach the Kubernetes API. Its address is not a pod, so no selector can name it: the allow names the
 * API server's endpoint addresses and ports (what a NetworkPolicy sees after the `kubernetes` Service's DNAT).
 */
export function allowKubernetesApi(name: string, from: Peer & { namespace: string }, apiServer: ApiServerPeers): NetworkPolicyDoc {
    if (apiServer.cidrs.length === 0) throw new Error("allowKubernetesApi needs the API server's CIDRs: a rule without peers would allow every destination");
    return policy(name, from.namespace, {
        egress: [{ ports: ports(apiServer.ports.map((port) => ({ port }))), to: apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })) }],
        podSelector: { matchLabels: from.podLabels },
        policyTypes: ["Egress"],
    });
}

/**
 * Lets `from` pods open connections to hosts outside the cluster on the given ports (DICOM destinations named by
 * host name: their addresses are unknown here, so only the ports are limited).
 */
export function allowExternalPorts(name: string, from: Peer & { namespace: string }, list: PortSpec[]): NetworkPolicyDoc {
    return policy(name, from.namespace, {
        egress: [{ ports: ports(list) }],
        podSelector: { matchLabels: from.podLabels },
        policyTypes: ["Egress"],
    });
}
