import assert from "node:assert/strict";
import { KubeApiServer, startKubeApiServer } from "../harness/kube/apiserver";
import { KubeClient, KubeObject } from "../harness/kube/client";
import { installCrds, traefikCrds } from "../harness/kube/crds";
import { renderTraefikNamespacedRbac, TraefikReleaseInputs, traefikServiceAccount } from "../harness/kube/traefik-rbac";
import { planStack } from "../harness/plan-runner";

const TRAEFIK_CHART = "traefik";
const FOREIGN_NAMESPACE = "someone-else";

/** Asks the server whether `user` may do `verb` on `resource` in `namespace` ("" = cluster-wide). */
async function allowed(client: KubeClient, user: { name: string; groups: string[] }, verb: string, resource: string, namespace: string, group = ""): Promise<boolean> {
    const review = await client.ok("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SubjectAccessReview",
        spec: { user: user.name, groups: user.groups, resourceAttributes: { verb, resource, group, namespace } },
    });
    return review.status.allowed === true;
}

/**
 * Traefik's service account, with the RBAC traefik chart 41.3.0 grants for pacstack's values (rbac.namespaced),
 * may read Secrets only in the namespaces it serves: asked of the real API server with SubjectAccessReviews, and
 * with a real ServiceAccount token (TokenRequest) reading Secrets directly.
 */
describe("traefik: its service account cannot read Secrets outside the namespaces it serves (real kube-apiserver)", function () {
    this.timeout(120_000);
    let server: KubeApiServer;
    let release: TraefikReleaseInputs;
    let served: string[];
    let user: { name: string; groups: string[] };
    let account: KubeObject;

    before(async function () {
        this.timeout(60 * 60_000); // builds the pinned tools when .ci/run has not
        const plan = await planStack("prod", { archives: '["orthanc","dcm4chee"]' });
        assert.equal(plan.code, 0, plan.stderr);
        release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === TRAEFIK_CHART)!.inputs as any;
        server = await startKubeApiServer();
        await installCrds(server.client, await traefikCrds());
        const rbac = renderTraefikNamespacedRbac(release);
        served = [...new Set(rbac.map((o) => o.metadata.namespace!))];
        for (const name of [...served, FOREIGN_NAMESPACE, "kube-system"]) {
            await server.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
            await server.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: "a-secret", namespace: name }, stringData: { key: "value" } });
        }
        account = traefikServiceAccount(release);
        await server.apply(account);
        for (const o of rbac) await server.apply(o);
        const ns = account.metadata.namespace!;
        user = { name: `system:serviceaccount:${ns}:${account.metadata.name}`, groups: ["system:serviceaccounts", `system:serviceaccounts:${ns}`, "system:authenticated"] };
    });
    after(async () => server?.stop());

    it("the RBAC renderer refuses values it does not model (cluster-wide RBAC)", () => {
        const clusterWide = { ...release, values: { ...release.values, rbac: { enabled: true, namespaced: false } } };
        assert.throws(() => renderTraefikNamespacedRbac(clusterWide), /cluster-wide RBAC/);
    });

    it("serves the release namespace and every namespace of the CRD provider, and nothing cluster-wide", () => {
        assert.deepEqual(served, [...new Set([release.namespace, ...release.values.providers!.kubernetesCRD!.namespaces!])].sort());
        assert.ok(served.length >= 2);
    });

    it("may read Secrets and Traefik's resources in each namespace it serves", async () => {
        for (const namespace of served) {
            for (const verb of ["get", "list", "watch"]) {
                assert.equal(await allowed(server.client, user, verb, "secrets", namespace), true, `${verb} secrets in ${namespace}`);
                assert.equal(await allowed(server.client, user, verb, "ingressroutes", namespace, "traefik.io"), true, `${verb} ingressroutes in ${namespace}`);
            }
        }
    });

    it("may not read Secrets in any other namespace, nor across the cluster", async () => {
        for (const namespace of [FOREIGN_NAMESPACE, "kube-system", "default"]) {
            for (const verb of ["get", "list", "watch"]) {
                assert.equal(await allowed(server.client, user, verb, "secrets", namespace), false, `${verb} secrets in ${namespace}`);
            }
        }
        for (const verb of ["list", "watch"]) {
            assert.equal(await allowed(server.client, user, verb, "secrets", ""), false, `${verb} secrets cluster-wide`);
        }
        assert.equal(await allowed(server.client, user, "list", "nodes", ""), false, "list nodes");
    });

    it("with a real token of the account: reads its namespaces' Secrets, is refused the others with 403", async () => {
        const { namespace, name } = account.metadata;
        const request = await server.client.ok("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
            apiVersion: "authentication.k8s.io/v1",
            kind: "TokenRequest",
            spec: { expirationSeconds: 600 },
        });
        const asTraefik = new KubeClient(server.url, request.status.token, server.client.caPem);
        for (const ns of served) {
            assert.equal((await asTraefik.request("GET", `/api/v1/namespaces/${ns}/secrets/a-secret`)).status, 200, ns);
        }
        const foreign = await asTraefik.request("GET", `/api/v1/namespaces/${FOREIGN_NAMESPACE}/secrets/a-secret`);
        assert.equal(foreign.status, 403);
        assert.match(foreign.body.message, new RegExp(`User "${user.name}" cannot get resource "secrets" in API group "" in the namespace "${FOREIGN_NAMESPACE}"`));
        assert.equal((await asTraefik.request("GET", "/api/v1/secrets")).status, 403);
    });
});
