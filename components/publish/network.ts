import { NetworkPolicyDoc, allowTraffic } from "../kube/network-policy";
import { Backend, Publication, Workload } from "./published";

/** The NetworkPolicies of every published flow: egress on the sending side, ingress on the receiving side. */
export function renderFlowPolicies(publications: Publication[]): NetworkPolicyDoc[] {
    return publications.flatMap((p) => p.flows).flatMap((flow) => allowTraffic(flow.name, flow.from, flow.to, flow.ports));
}

/** Every backend the edge forwards to (web routes, redirects, TCP entrypoints), with the ports it reaches on each. */
export function edgeBackends(publications: Publication[]): { service: string; pods: Workload; ports: number[] }[] {
    const byService = new Map<string, { service: string; pods: Workload; ports: Set<number> }>();
    const add = (backend: Backend) => {
        const entry = byService.get(backend.service) ?? { service: backend.service, pods: backend.pods, ports: new Set<number>() };
        entry.ports.add(backend.port);
        byService.set(backend.service, entry);
    };
    for (const p of publications) {
        [...p.routes, ...p.entryPoints, ...p.redirects].forEach((item) => add(item.backend));
    }
    return [...byService.values()]
        .sort((a, b) => a.service.localeCompare(b.service))
        .map((entry) => ({ service: entry.service, pods: entry.pods, ports: [...entry.ports].sort((a, b) => a - b) }));
}

/** The policies that let the edge's pods reach each backend on exactly the ports published for it. */
export function renderEdgePolicies(ingress: Workload, publications: Publication[]): NetworkPolicyDoc[] {
    return edgeBackends(publications).flatMap((backend) =>
        allowTraffic(`ingress-to-${backend.service}`, ingress, backend.pods, backend.ports.map((port) => ({ port }))),
    );
}
