import { BlockList, isIPv4 } from "node:net";

/** One egress peer or port of a rendered NetworkPolicy (the subset pacstack renders). */
interface EgressRule {
    to?: { ipBlock?: { cidr: string; except?: string[] }; podSelector?: unknown; namespaceSelector?: unknown }[];
    ports?: { port?: number; endPort?: number; protocol?: string }[];
}

function inCidr(ip: string, cidr: string): boolean {
    const [address, bits] = cidr.split("/");
    const family = isIPv4(address) ? "ipv4" : "ipv6";
    if ((family === "ipv4") !== isIPv4(ip)) return false;
    const list = new BlockList();
    list.addSubnet(address, Number(bits), family);
    return list.check(ip, family);
}

/**
 * Whether a NetworkPolicy's egress rules let its pods open `protocol` connections to an address that is not a pod
 * (an ipBlock peer), as Kubernetes evaluates them: a rule without `to` allows every peer, without `ports` every port.
 */
export function egressAllowsAddress(policy: { spec: { egress?: EgressRule[] } }, ip: string, port: number, protocol = "TCP"): boolean {
    return (policy.spec.egress ?? []).some((rule) => {
        const peer = !rule.to || rule.to.some((p) => p.ipBlock && inCidr(ip, p.ipBlock.cidr) && !(p.ipBlock.except ?? []).some((e) => inCidr(ip, e)));
        const portOk =
            !rule.ports ||
            rule.ports.some((p) => (p.protocol ?? "TCP") === protocol && (p.port === undefined || (port >= p.port && port <= (p.endPort ?? p.port))));
        return peer && portOk;
    });
}
