import assert from "node:assert/strict";
import { PlanResult, planStack } from "../harness/plan-runner";
import { MOCK_SECRET } from "../../scripts/plan/mocks";
import { VARIANTS } from "../harness/variants";
import { ContainerView, WorkloadView, workloadsOf } from "./workloads";

type Rule = (workload: WorkloadView, container: ContainerView) => boolean;

const truthy = (w: WorkloadView, c: ContainerView, key: string) => c.securityContext?.[key] ?? w.podSecurityContext?.[key];

/** Security and reliability rules for every workload pacstack renders (the charts' pods: see README). */
const RULES: Record<string, Rule> = {
    runAsNonRoot: (w, c) => truthy(w, c, "runAsNonRoot") === true,
    noPrivilegeEscalation: (_w, c) => c.securityContext?.allowPrivilegeEscalation === false,
    dropAllCapabilities: (_w, c) => (c.securityContext?.capabilities?.drop ?? []).includes("ALL"),
    seccompRuntimeDefault: (w, c) => truthy(w, c, "seccompProfile")?.type === "RuntimeDefault",
    readOnlyRootFilesystem: (_w, c) => c.securityContext?.readOnlyRootFilesystem === true,
    writableTmpIsEmptyDir: (_w, c) => c.emptyDirMounts.includes("/tmp"),
    cpuAndMemoryRequestsAndLimits: (_w, c) =>
        ["requests", "limits"].every((kind) => ["cpu", "memory"].every((r) => Boolean((c.resources as any)?.[kind]?.[r]))),
    readinessAndLivenessProbes: (_w, c) => c.init === true || (c.hasReadinessProbe && c.hasLivenessProbe),
    pinnedImage: (_w, c) => /@sha256:[a-f0-9]{64}$/.test(c.image) || /:[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(c.image.split("/").pop()!) && !c.image.endsWith(":latest"),
    ownServiceAccount: (w) => w.ownServiceAccount !== undefined,
    noServiceAccountToken: (w) => w.automountServiceAccountToken === false,
    noSecretInEnvLiterals: (_w, c) =>
        c.env.every(
            (e) =>
                e.value === undefined ||
                (!String(e.value).includes(MOCK_SECRET) &&
                    e.value !== "[secret]" &&
                    // The *_FILE convention names a mounted Secret file: the value is a path, not the secret.
                    (!/PASSWORD|SECRET|TOKEN|PRIVATE/i.test(e.name) || (/_FILE$/.test(e.name) && String(e.value).startsWith("/")))),
        ),
};

/**
 * The only exceptions to RULES, each with its reason. A rule broken by anything not listed here fails the test,
 * and an exception that no longer applies fails it too. (None today: the one Traefik needed lives in its chart.)
 */
const EXCEPTIONS: { workload: RegExp; rule: keyof typeof RULES; reason: string }[] = [];

function violations(plan: PlanResult): string[] {
    const found: string[] = [];
    for (const workload of workloadsOf(plan)) {
        for (const container of workload.containers) {
            for (const [rule, check] of Object.entries(RULES)) {
                if (!check(workload, container)) {
                    found.push(`${workload.id} / ${container.name}: ${rule}`);
                }
            }
        }
    }
    return [...new Set(found)];
}

function isExcepted(violation: string): boolean {
    return EXCEPTIONS.some((e) => e.workload.test(violation) && violation.endsWith(`: ${e.rule}`));
}

const inputsOf = (plan: PlanResult, kind: string) => plan.resources.filter((r) => (r.inputs as any).kind === kind).map((r) => r.inputs as any);

describe("invariants: security and reliability rules over the whole graph", function () {
    this.timeout(120000);
    for (const variant of VARIANTS) {
        describe(variant.label, () => {
            let plan: PlanResult;
            before(async () => {
                plan = await planStack(variant.stack, variant.overrides);
                assert.equal(plan.code, 0, plan.stderr);
            });

            it("every workload meets every rule, except the listed exceptions", () => {
                const found = violations(plan);
                assert.deepEqual(found.filter((v) => !isExcepted(v)), []);
                for (const exception of EXCEPTIONS) {
                    assert.ok(
                        found.some((v) => exception.workload.test(v) && v.endsWith(`: ${exception.rule}`)),
                        `exception no longer needed, remove it: ${exception.workload} ${exception.rule}`,
                    );
                }
                assert.ok(workloadsOf(plan).length >= 2, "the archive and the viewer are checked");
            });

            it("no secret value appears outside a Secret or unmarked", () => {
                assert.doesNotMatch(plan.text, new RegExp(MOCK_SECRET), "a generated secret is not marked secret");
                for (const configMap of inputsOf(plan, "ConfigMap")) {
                    const text = JSON.stringify(configMap.data);
                    assert.doesNotMatch(text, /\[secret\]|-----BEGIN [A-Z ]*PRIVATE KEY-----/, `${configMap.metadata.name} holds a secret`);
                    for (const match of text.matchAll(/\\"(\w*Password\w*)\\"\s*:\s*\\"([^"\\]*)\\"/g)) {
                        assert.match(match[2], /^\$\{[A-Z_]+\}$/, `${configMap.metadata.name}: ${match[1]} must be an environment reference`);
                    }
                }
                for (const release of plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")) {
                    assert.doesNotMatch(JSON.stringify(release.inputs), /\[secret\]|PRIVATE KEY/, `${release.name}'s values hold a secret`);
                }
                for (const secret of inputsOf(plan, "Secret")) {
                    for (const [key, value] of Object.entries(secret.stringData ?? {})) {
                        assert.equal(value, "[secret]", `${secret.metadata.name}/${key} is not marked secret`);
                    }
                }
                // Traefik's Middlewares, IngressRoutes and TLSOptions name Secrets; they never hold a credential or hash.
                for (const resource of plan.resources.filter((r) => r.type.startsWith("kubernetes:traefik.io/"))) {
                    const text = JSON.stringify((resource.inputs as any).spec);
                    assert.doesNotMatch(text, /\[secret\]|\$2[aby]\$|-----BEGIN/, `${resource.name} holds a credential`);
                }
            });

            it("no web route is reachable without the web user's credentials", () => {
                const middlewares = plan.resources.filter((r) => r.type === "kubernetes:traefik.io/v1alpha1:Middleware").map((r) => r.inputs as any);
                const authNames = new Set(middlewares.filter((m) => m.spec.basicAuth).map((m) => m.metadata.name));
                assert.ok(authNames.size > 0, "no basicAuth middleware");
                for (const middleware of middlewares.filter((m) => m.spec.basicAuth)) {
                    const users = inputsOf(plan, "Secret").find((s) => s.metadata.name === middleware.spec.basicAuth.secret && s.metadata.namespace === middleware.metadata.namespace);
                    assert.deepEqual(users?.stringData, { users: "[secret]" }, `${middleware.metadata.name} reads no users Secret`);
                }
                // Keycloak's /auth is the one public route: its sign-in pages, tokens and admin console authenticate
                // every request themselves.
                const keycloakOnly = (match: string) => /\(Path\(`\/auth`\) \|\| PathPrefix\(`\/auth\/`\)\)/.test(match) && !/PathPrefix\(`\/(?!auth\/)/.test(match);
                for (const route of inputsOf(plan, "IngressRoute")) {
                    for (const router of route.spec.routes) {
                        if (keycloakOnly(router.match)) continue;
                        assert.ok(router.middlewares.some((m: any) => authNames.has(m.name)), `${route.metadata.name}: ${router.match} has no basicAuth`);
                    }
                }
            });

            it("every namespace is labelled for Pod Security, denies by default and is kept on destroy", () => {
                const namespaces = inputsOf(plan, "Namespace");
                assert.ok(namespaces.length >= 2);
                for (const namespace of namespaces) {
                    const name = namespace.metadata.name;
                    assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted", name);
                    assert.ok(plan.keptOnDestroy.some((k) => k.type === "kubernetes:core/v1:Namespace" && k.name === name), `${name} would be deleted with its volumes`);
                    const deny = inputsOf(plan, "NetworkPolicy").find((p) => p.metadata.namespace === name && p.metadata.name.endsWith("-default-deny"));
                    assert.deepEqual(deny?.spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] }, `${name} has no default deny`);
                }
                for (const workload of workloadsOf(plan)) {
                    assert.ok(namespaces.some((n) => n.metadata.name === workload.namespace), `${workload.id} runs outside pacstack's namespaces`);
                }
            });

            it("every volume holding data outlives `pulumi destroy`", () => {
                for (const claim of inputsOf(plan, "PersistentVolumeClaim")) {
                    assert.ok(plan.keptOnDestroy.some((k) => k.type === "kubernetes:core/v1:PersistentVolumeClaim" && k.name === claim.metadata.name), claim.metadata.name);
                }
                for (const statefulSet of inputsOf(plan, "StatefulSet").filter((s) => s.spec.volumeClaimTemplates?.length)) {
                    assert.deepEqual(statefulSet.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" }, statefulSet.metadata.name);
                }
                for (const release of plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")) {
                    const persistence = (release.inputs as any).values.primary?.persistentVolumeClaimRetentionPolicy;
                    if ((release.inputs as any).values.primary?.persistence?.enabled) {
                        assert.deepEqual(persistence, { enabled: true, whenDeleted: "Retain", whenScaled: "Retain" }, release.name);
                    }
                }
            });

            it("names every NetworkPolicy after its component, never generically (no collision with a namespace's own)", () => {
                for (const policy of plan.resources.filter((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy")) {
                    assert.equal((policy.inputs as any).metadata.name, policy.name, "object named like its resource, prefixed by the component");
                    assert.match(policy.name, /^pacstack-/);
                }
            });

            it("pins every chart version", () => {
                for (const release of plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release")) {
                    assert.match((release.inputs as any).version, /^\d+\.\d+\.\d+$/, release.name);
                }
            });
        });
    }

    it("the rules catch a violation (they can fail)", () => {
        const bad: WorkloadView = {
            id: "Deployment bad",
            namespace: "x",
            automountServiceAccountToken: true,
            containers: [
                {
                    name: "c",
                    image: "nginx:latest",
                    securityContext: { readOnlyRootFilesystem: false },
                    hasReadinessProbe: false,
                    hasLivenessProbe: true,
                    env: [{ name: "DB_PASSWORD", value: "hunter2" }],
                    emptyDirMounts: [],
                },
            ],
        };
        const broken = Object.entries(RULES).filter(([, check]) => !check(bad, bad.containers[0])).map(([rule]) => rule);
        assert.deepEqual(broken.sort(), Object.keys(RULES).sort());
    });

    it("init containers and ephemeral containers are judged like the others", () => {
        const container = (name: string) => ({ name, image: "docker.io/library/busybox:1.37" });
        const deployment = {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "w", namespace: "x" },
            spec: { template: { spec: { initContainers: [container("copy-certs")], containers: [], ephemeralContainers: [container("debug")] } } },
        };
        const plan = { resources: [{ type: "kubernetes:apps/v1:Deployment", name: "w", inputs: deployment }] } as unknown as PlanResult;
        const found = violations(plan);
        assert.ok(found.includes("Deployment w / copy-certs: runAsNonRoot"), found.join("\n"));
        assert.ok(found.includes("Deployment w / debug: readOnlyRootFilesystem"), found.join("\n"));
        assert.ok(!found.includes("Deployment w / copy-certs: readinessAndLivenessProbes"), "a run-to-completion init container has no probes");
    });

    it("a CronJob's container runs to completion (no probes) and is judged by every other rule", () => {
        const cronJob = {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: "backup", namespace: "x" },
            spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "dump", image: "docker.io/library/postgres:17.6" }] } } } } },
        };
        const plan = { resources: [{ type: "kubernetes:batch/v1:CronJob", name: "backup", inputs: cronJob }] } as unknown as PlanResult;
        const found = violations(plan);
        assert.ok(found.includes("CronJob backup / dump: runAsNonRoot"), found.join("\n"));
        assert.ok(found.includes("CronJob backup / dump: readOnlyRootFilesystem"), found.join("\n"));
        assert.ok(!found.includes("CronJob backup / dump: readinessAndLivenessProbes"), "a Job's container runs to completion");
    });
});
