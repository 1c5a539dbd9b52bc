import assert from "node:assert/strict";
import { NETWORK_DEFAULTS, PRIVATE_RANGES } from "../../components/config/network";
import { validatePlatformConfig } from "../../components/config/validate";

import { problemsOf as configProblemsOf, valid } from "./problems";

function problemsOf(network: unknown): string[] {
    return configProblemsOf({ ...valid, network });
}

describe("config: pacstack:network (peers of the NetworkPolicies)", () => {
    it("defaults per platform: the API server's port on private addresses, DNS pods plus NodeLocal DNSCache", () => {
        for (const [platform, port] of [["minikube", 8443], ["microk8s", 16443], ["cloud", 443]] as const) {
            const { network } = validatePlatformConfig({ ...valid, platform });
            assert.deepEqual(network, NETWORK_DEFAULTS[platform]);
            assert.deepEqual(network.apiServer, { cidrs: PRIVATE_RANGES, ports: [port] });
            assert.ok(network.dns.cidrs.includes("169.254.20.10/32"), platform);
        }
    });

    it("reads the object as Pulumi passes it (JSON) and replaces only the fields given", () => {
        const { network } = validatePlatformConfig({ ...valid, network: '{"apiServer":{"cidrs":["192.168.49.2/32"]},"monitoringNamespace":"observability"}' });
        assert.deepEqual(network.apiServer, { cidrs: ["192.168.49.2/32"], ports: [8443] });
        assert.equal(network.monitoringNamespace, "observability");
        assert.deepEqual(network.dns, NETWORK_DEFAULTS.minikube.dns);
    });

    it("rejects each bad field by its path, with the value and what is allowed", () => {
        const cases: [unknown, RegExp][] = [
            [[], /^pacstack:network = \[\]: must be an object/],
            [{ apiServer: { cidrs: ["10.0.0.300/32"] } }, /^pacstack:network\.apiServer\.cidrs = \["10\.0\.0\.300\/32"\]: must be a non-empty list of CIDRs/],
            [{ apiServer: { cidrs: [] } }, /^pacstack:network\.apiServer\.cidrs = \[\]: must be a non-empty list/],
            [{ apiServer: { ports: [0] } }, /^pacstack:network\.apiServer\.ports = \[0\]: must be a non-empty list of ports/],
            [{ dns: { podLabels: { "k8s-app": 1 } } }, /^pacstack:network\.dns\.podLabels = .*: must map label keys to label values/],
            [{ dns: { namespace: "Kube System" } }, /^pacstack:network\.dns\.namespace = "Kube System": must be a namespace name/],
            [{ dns: { podLabels: {}, cidrs: [] } }, /^pacstack:network\.dns = .*: needs DNS pod labels or CIDRs/],
            [{ apiserver: {} }, /^pacstack:network\.apiserver = \{\}: unknown field; allowed fields are dns, apiServer, monitoringNamespace/],
            [{ monitoringNamespace: "" }, /^pacstack:network\.monitoringNamespace = "": must be a namespace name/],
        ];
        for (const [network, expected] of cases) {
            const problems = problemsOf(network);
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], expected);
        }
    });
});
