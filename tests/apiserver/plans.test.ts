import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeApiServer, SERVICE_CLUSTER_IP_RANGE, startKubeApiServer } from "../harness/kube/apiserver";
import { KubeClient, KubeError, KubeObject } from "../harness/kube/client";
import { installCrds, traefikCrds } from "../harness/kube/crds";
import { egressAllowsAddress } from "../harness/kube/network-policy-match";
import { objectsOf, podsOf, TestKeyPair } from "../harness/kube/plan-objects";
import { waitFor } from "../harness/real/processes";
import { createTestPki } from "../harness/real/pki";
import { planStack } from "../harness/plan-runner";
import { VARIANTS } from "../harness/variants";

/** Removes what a variant applied (not its Namespaces: without a namespace controller they never finish deleting). */
async function removeAll(client: KubeClient, objects: KubeObject[]): Promise<void> {
    for (const o of [...objects].reverse().filter((o) => o.kind !== "Namespace")) {
        await client.remove(o);
        // No controller clears finalizers here (a PVC keeps kubernetes.io/pvc-protection): drop them by hand.
        const path = await client.pathOf(o.apiVersion, o.kind, o.metadata.namespace, o.metadata.name);
        if ((await client.request("GET", path)).status === 200) {
            await client.ok("PATCH", path, { metadata: { finalizers: null } }, "application/merge-patch+json");
        }
    }
}

/** Creates the Pod a controller would make from a workload's template, then deletes it (it is never scheduled). */
async function admitPod(client: KubeClient, owner: string, pod: KubeObject): Promise<void> {
    let created: KubeObject;
    try {
        created = await client.create(pod);
    } catch (error) {
        throw new Error(`the pod of ${owner} is refused: ${(error as Error).message}`);
    }
    await client.remove(created);
}

describe("API server: a real kube-apiserver (Pod Security admission on) accepts every object of every stack", function () {
    this.timeout(10 * 60_000);
    let server: KubeApiServer;
    let tls: TestKeyPair;

    before(async function () {
        this.timeout(60 * 60_000); // builds the pinned tools when .ci/run has not
        server = await startKubeApiServer();
        const pki = await createTestPki(mkdtempSync(join(tmpdir(), "pacstack-apiserver-tier-")));
        tls = { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem };
        await installCrds(server.client, await traefikCrds());
    });
    after(async () => server?.stop());

    for (const variant of VARIANTS) {
        it(`${variant.label}: every object applied server side, every workload's pod admitted as "restricted"`, async () => {
            const plan = await planStack(variant.stack, variant.overrides);
            assert.equal(plan.code, 0, plan.stderr);
            const objects = objectsOf(plan, tls);
            const pods = podsOf(objects);
            assert.ok(pods.length >= 2, "the plan's workloads were found");
            server.client.warnings.length = 0;
            const applied: KubeObject[] = [];
            try {
                for (const o of objects) {
                    await server.apply(o);
                    applied.push(o);
                }
                for (const { owner, pod } of pods) await admitPod(server.client, owner, pod);
                assert.deepEqual(server.client.warnings, [], "the server warned");
            } finally {
                await removeAll(server.client, applied);
            }
        });
    }

    describe("the tier can fail", () => {
        let objects: KubeObject[];
        before(async () => {
            const plan = await planStack("dev");
            objects = objectsOf(plan, tls);
            for (const o of objects.filter((o) => o.kind === "Namespace" || o.kind === "ServiceAccount")) await server.apply(o);
        });

        it("a privileged container in a pod template is refused by Pod Security with the server's message", async () => {
            const [{ owner, pod }] = podsOf(objects);
            // allowPrivilegeEscalation: false beside privileged would be refused as invalid before admission.
            (pod.spec as any).containers[0].securityContext = { ...(pod.spec as any).containers[0].securityContext, privileged: true, allowPrivilegeEscalation: true };
            await assert.rejects(admitPod(server.client, owner, pod), (error: Error) => {
                assert.match(error.message, /violates PodSecurity "restricted:[^"]+": privileged \(container "[^"]+" must not set securityContext\.privileged=true\)/);
                return true;
            });
        });

        it("an init container running as root is refused (init containers are judged too)", async () => {
            const [{ owner, pod }] = podsOf(objects);
            const spec = pod.spec as any;
            const { livenessProbe, readinessProbe, startupProbe, ...container } = structuredClone(spec.containers[0]);
            spec.initContainers = [{ ...container, name: "root-init", securityContext: { ...container.securityContext, runAsNonRoot: false, runAsUser: 0 } }];
            await assert.rejects(admitPod(server.client, owner, pod), /violates PodSecurity "restricted:[^"]+": runAsNonRoot != true \(container "root-init" must not set securityContext\.runAsNonRoot=false\)/);
        });

        it("an IngressRoute with an unknown field is refused (server-side apply, and create with strict field validation)", async () => {
            const route = structuredClone(objects.find((o) => o.kind === "IngressRoute")!);
            (route.spec as any).routes[0].middlewarez = [];
            await assert.rejects(server.apply(route), (error: unknown) => {
                assert.ok(error instanceof KubeError, String(error));
                assert.match(error.message, /\.spec\.routes\[0\]\.middlewarez: field not declared in schema/);
                return true;
            });
            await assert.rejects(server.client.create(route), /unknown field "spec\.routes\[0\]\.middlewarez"/);
        });
    });

    describe("Traefik's egress to the Kubernetes API names the API server's real endpoint", () => {
        let endpoints: { address: string; port: number }[];
        before(async () => {
            const path = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes";
            const published = async () => ((await server.client.ok("GET", path)).items ?? []).length > 0;
            await waitFor("the kubernetes EndpointSlice", published, { timeoutMs: 60_000, intervalMs: 500 });
            const slices = (await server.client.ok("GET", path)).items as any[];
            endpoints = slices.flatMap((s) => s.endpoints.flatMap((e: any) => e.addresses.flatMap((address: string) => s.ports.map((p: any) => ({ address, port: p.port })))));
            assert.ok(endpoints.length > 0);
        });
        const apiPolicy = async (overrides: Record<string, string>) => {
            const plan = await planStack("dev", overrides);
            assert.equal(plan.code, 0, plan.stderr);
            const policy = objectsOf(plan, tls).find((o) => o.kind === "NetworkPolicy" && o.metadata.name!.endsWith("-traefik-kubernetes-api"));
            assert.ok(policy, "no Kubernetes API policy in the plan");
            return policy as any;
        };

        it("with network.apiServer set from the cluster's EndpointSlice, every endpoint address and port is allowed, nothing else", async () => {
            const network = { apiServer: { cidrs: endpoints.map((e) => `${e.address}/32`), ports: [...new Set(endpoints.map((e) => e.port))] } };
            const policy = await apiPolicy({ network: JSON.stringify(network) });
            await server.apply(policy);
            for (const { address, port } of endpoints) assert.ok(egressAllowsAddress(policy, address, port), `${address}:${port}`);
            // The Service's own address and port are never what a NetworkPolicy sees (kube-proxy DNATs first).
            const serviceIp = SERVICE_CLUSTER_IP_RANGE.replace(/0\/\d+$/, "1");
            assert.equal(egressAllowsAddress(policy, serviceIp, 443), false);
            assert.equal(egressAllowsAddress(policy, "203.0.113.7", endpoints[0].port), false, "another host on the API port");
            assert.equal(egressAllowsAddress(policy, endpoints[0].address, 22), false, "another port of the API host");
        });

        it("the platform default is no longer 'any host': an API server outside it is not reached until configured", async () => {
            const policy = await apiPolicy({});
            assert.equal(egressAllowsAddress(policy, endpoints[0].address, 8443), false);
            assert.ok(egressAllowsAddress(policy, "192.168.49.2", 8443), "minikube's usual API address and port");
        });
    });
});
