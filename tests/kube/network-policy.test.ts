import assert from "node:assert/strict";
import { allowDns, allowTraffic, defaultDeny } from "../../components/kube/network-policy";

describe("kube: NetworkPolicy renderers", () => {
    it("denies everything by default", () => {
        assert.deepEqual(defaultDeny("pacstack").spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    });

    it("allows DNS to kube-dns only", () => {
        const rule = allowDns("pacstack").spec.egress![0] as any;
        assert.deepEqual(rule.to[0].podSelector, { matchLabels: { "k8s-app": "kube-dns" } });
        assert.deepEqual(rule.ports.map((p: any) => p.port), [53, 53]);
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
