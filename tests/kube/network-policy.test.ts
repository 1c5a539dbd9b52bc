import assert from "node:assert/strict";
import { NETWORK_DEFAULTS } from "../../components/config/network";
import { allowDns, allowFromNamespace, allowKubernetesApi, allowTraffic, defaultDeny } from "../../components/kube/network-policy";

describe("kube: NetworkPolicy renderers", () => {
    it("denies everything by default", () => {
        assert.deepEqual(defaultDeny("pacstack").spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("allows DNS to the DNS pods and to DNS addresses that are not pods (NodeLocal DNSCache, the DNS Service IP)", () => {
        const rule = allowDns("pacstack", NETWORK_DEFAULTS.minikube.dns).spec.egress![0] as any;
        assert.deepEqual(rule.to, [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } },
            { ipBlock: { cidr: "10.96.0.10/32" } },
            { ipBlock: { cidr: "169.254.20.10/32" } },
        ]);
        assert.deepEqual(rule.ports, [{ port: 53, protocol: "UDP" }, { port: 53, protocol: "TCP" }]);
    });

    it("follows a cluster whose DNS is elsewhere: other pods, other ports, addresses only", () => {
        const custom = allowDns("pacstack", { namespace: "openshift-dns", podLabels: { "dns.operator.openshift.io/daemonset-dns": "default" }, cidrs: [], ports: [5353] });
        const rule = custom.spec.egress![0] as any;
        assert.deepEqual(rule.to[0].podSelector.matchLabels, { "dns.operator.openshift.io/daemonset-dns": "default" });
        assert.deepEqual(rule.ports, [{ port: 5353, protocol: "UDP" }, { port: 5353, protocol: "TCP" }]);
        const addressesOnly = allowDns("pacstack", { namespace: "kube-system", podLabels: {}, cidrs: ["169.254.169.254/32"], ports: [53] });
        assert.deepEqual((addressesOnly.spec.egress![0] as any).to, [{ ipBlock: { cidr: "169.254.169.254/32" } }]);
    });

    it("refuses a rule without peers, which Kubernetes would read as 'every destination'", () => {
        assert.throws(() => allowDns("pacstack", { namespace: "kube-system", podLabels: {}, cidrs: [], ports: [53] }), /without peers/);
        assert.throws(() => allowKubernetesApi("api", { namespace: "edge", podLabels: { app: "traefik" } }, { cidrs: [], ports: [443] }), /without peers/);
    });

    it("allows the Kubernetes API only at its endpoint addresses and ports, never any host", () => {
        const doc = allowKubernetesApi("traefik-kubernetes-api", { namespace: "edge", podLabels: { app: "traefik" } }, { cidrs: ["192.168.49.2/32"], ports: [8443] });
        assert.deepEqual(doc.spec.egress, [{ ports: [{ port: 8443, protocol: "TCP" }], to: [{ ipBlock: { cidr: "192.168.49.2/32" } }] }]);
    });

    it("lets only the monitoring namespace reach a metrics port", () => {
        const doc = allowFromNamespace("traefik-metrics", { namespace: "edge", podLabels: { app: "traefik" } }, "monitoring", [{ port: 9100 }]);
        assert.deepEqual(doc.spec.ingress, [{ from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ port: 9100, protocol: "TCP" }] }]);
        assert.deepEqual(doc.spec.podSelector, { matchLabels: { app: "traefik" } });
    });

    it("opens a flow on both sides, selecting the peer namespace only when it differs", () => {
        const [ingress, egress] = allowTraffic(
            "traefik-to-orthanc",
            { namespace: "edge", podLabels: { app: "traefik" } },
            { namespace: "apps", podLabels: { app: "orthanc" } },
            [{ port: 8042 }],
        );
        assert.equal(ingress.metadata.namespace, "apps");
        assert.deepEqual((ingress.spec.ingress![0] as any).from[0].namespaceSelector, { matchLabels: { "kubernetes.io/metadata.name": "edge" } });
        assert.equal(egress.metadata.namespace, "edge");
        assert.deepEqual((egress.spec.egress![0] as any).to[0].podSelector, { matchLabels: { app: "orthanc" } });
        const [local] = allowTraffic("a-to-b", { namespace: "apps", podLabels: { a: "1" } }, { namespace: "apps", podLabels: { b: "1" } }, [{ port: 1 }]);
        assert.equal("namespaceSelector" in (local.spec.ingress![0] as any).from[0], false);
    });
});
