import { PlanResult } from "../harness/plan-runner";

/** One container as the invariant rules see it, whether pacstack renders it or a chart does. */
export interface ContainerView {
    name: string;
    image: string;
    securityContext?: Record<string, any>;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
    hasReadinessProbe: boolean;
    hasLivenessProbe: boolean;
    env: { name: string; value?: string; valueFrom?: unknown }[];
    /** Mount paths backed by emptyDir volumes. */
    emptyDirMounts: string[];
    /** An init container: it runs to completion before the others start, so it has no probes. */
    init?: boolean;
}

export interface WorkloadView {
    /** "<kind> <name>" for pacstack's own objects, "<chart> chart (<release>)" for Helm releases. */
    id: string;
    namespace: string;
    podSecurityContext?: Record<string, any>;
    automountServiceAccountToken?: boolean;
    /** Name of a ServiceAccount made for this workload alone, or undefined. */
    ownServiceAccount?: string;
    containers: ContainerView[];
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "Job"];

/** pacstack's own workloads, read from their pod templates. */
function ownWorkloads(plan: PlanResult): WorkloadView[] {
    const serviceAccounts = plan.resources
        .filter((r) => r.type === "kubernetes:core/v1:ServiceAccount")
        .map((r) => r.inputs as any);
    return plan.resources
        .filter((r) => r.type.startsWith("kubernetes:") && WORKLOAD_KINDS.includes((r.inputs as any).kind))
        .map((r) => {
            const doc = r.inputs as any;
            const pod = doc.spec.template.spec;
            const emptyDirs = new Set((pod.volumes ?? []).filter((v: any) => v.emptyDir).map((v: any) => v.name));
            const account = serviceAccounts.find(
                (sa) => sa.metadata.name === pod.serviceAccountName && sa.metadata.namespace === doc.metadata.namespace && sa.automountServiceAccountToken === false,
            );
            const usedBy = plan.resources.filter(
                (o) => WORKLOAD_KINDS.includes((o.inputs as any).kind) && (o.inputs as any).spec.template.spec.serviceAccountName === pod.serviceAccountName,
            );
            return {
                id: `${doc.kind} ${doc.metadata.name}`,
                namespace: doc.metadata.namespace,
                podSecurityContext: pod.securityContext,
                automountServiceAccountToken: pod.automountServiceAccountToken,
                ownServiceAccount: account && pod.serviceAccountName !== "default" && usedBy.length === 1 ? pod.serviceAccountName : undefined,
                containers: [
                    ...(pod.initContainers ?? []).map((c: any) => ({ ...c, init: true })),
                    ...pod.containers,
                ].map((c: any) => ({
                    name: c.name,
                    image: c.image,
                    securityContext: c.securityContext,
                    resources: c.resources,
                    hasReadinessProbe: Boolean(c.readinessProbe),
                    hasLivenessProbe: Boolean(c.livenessProbe),
                    env: c.env ?? [],
                    emptyDirMounts: (c.volumeMounts ?? []).filter((m: any) => emptyDirs.has(m.name)).map((m: any) => m.mountPath),
                    init: c.init === true,
                })),
            };
        });
}

const imageOf = (image: { registry: string; repository: string; tag: string }) => `${image.registry}/${image.repository}:${image.tag}`;

/**
 * Charts pacstack installs, seen through the values it sets. Each adapter states what the chart renders from
 * those values (checked in the chart sources named here); a rule that only the chart decides is stated as fact.
 */
const CHART_ADAPTERS: Record<string, (release: any) => WorkloadView> = {
    // bitnami/postgresql 16.7.27: templates/primary/statefulset.yaml; probes exec pg_isready when enabled; an
    // `empty-dir` emptyDir is always mounted at /tmp, /opt/bitnami/postgresql/{conf,tmp}; the ServiceAccount is
    // created per release with serviceAccount.create.
    "oci://registry-1.docker.io/bitnamicharts/postgresql": (release) => {
        const primary = release.values.primary;
        return {
            id: `postgresql chart (${release.name})`,
            namespace: release.namespace,
            podSecurityContext: primary.podSecurityContext,
            automountServiceAccountToken: primary.automountServiceAccountToken,
            ownServiceAccount:
                release.values.serviceAccount.create && release.values.serviceAccount.automountServiceAccountToken === false ? release.name : undefined,
            containers: [
                {
                    name: "postgresql",
                    image: imageOf(release.values.image),
                    securityContext: primary.containerSecurityContext,
                    resources: primary.resources,
                    hasReadinessProbe: primary.readinessProbe?.enabled === true,
                    hasLivenessProbe: primary.livenessProbe?.enabled === true,
                    env: primary.extraEnvVars ?? [],
                    emptyDirMounts: ["/tmp", "/opt/bitnami/postgresql/conf", "/opt/bitnami/postgresql/tmp"],
                },
            ],
        };
    },
    // traefik 41.3.0: _podtemplate.tpl renders httpGet /ping readiness and liveness probes unconditionally, mounts
    // the `tmp` emptyDir (deployment.tmpVolume) at /tmp, and creates a ServiceAccount per release; the pod template
    // hard-codes automountServiceAccountToken: true.
    traefik: (release) => ({
        id: `traefik chart (${release.name})`,
        namespace: release.namespace,
        podSecurityContext: release.values.podSecurityContext,
        automountServiceAccountToken: true,
        ownServiceAccount: release.name,
        containers: [
            {
                name: "traefik",
                image: imageOf(release.values.image),
                securityContext: release.values.securityContext,
                resources: release.values.resources,
                hasReadinessProbe: true,
                hasLivenessProbe: true,
                env: release.values.env ?? [],
                emptyDirMounts: release.values.deployment.tmpVolume?.emptyDir ? ["/tmp"] : [],
            },
        ],
    }),
};

function chartWorkloads(plan: PlanResult): WorkloadView[] {
    return plan.resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release")
        .map((r) => {
            const release = r.inputs as any;
            const adapter = CHART_ADAPTERS[release.chart];
            if (!adapter) {
                throw new Error(`no invariant adapter for chart ${release.chart}: add one to tests/invariants/workloads.ts`);
            }
            return adapter(release);
        });
}

export function workloadsOf(plan: PlanResult): WorkloadView[] {
    return [...ownWorkloads(plan), ...chartWorkloads(plan)];
}
