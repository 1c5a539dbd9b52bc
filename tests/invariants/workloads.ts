import { KubeObject } from "../harness/kube/client";
import { podTemplateOf } from "../harness/kube/plan-objects";
import { PlanResult } from "../harness/plan-runner";

/** One container as the invariant rules see it. */
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
    /** Runs to completion, so it has no probes: an init container (before the others start) or a Job's container. */
    init?: boolean;
}

export interface WorkloadView {
    /** "<kind> <name>". */
    id: string;
    namespace: string;
    podSecurityContext?: Record<string, any>;
    automountServiceAccountToken?: boolean;
    /** Name of a ServiceAccount made for this workload alone, or undefined. */
    ownServiceAccount?: string;
    containers: ContainerView[];
}

/**
 * Every workload pacstack renders itself, read from its pod template: containers, init containers (a sidecar,
 * restartPolicy Always, counts as a long-running container) and ephemeral containers alike. The charts' pods are
 * not here: the charts cannot be rendered in CI, so README lists what pacstack assumes about them instead.
 */
export function workloadsOf(plan: PlanResult): WorkloadView[] {
    const objects = plan.resources.filter((r) => r.type.startsWith("kubernetes:")).map((r) => r.inputs as unknown as KubeObject);
    const serviceAccounts = objects.filter((o) => o.kind === "ServiceAccount") as any[];
    const workloads = objects.filter((o) => podTemplateOf(o) !== undefined);
    return workloads.map((doc) => {
        const pod = podTemplateOf(doc)!.spec as any;
        const emptyDirs = new Set((pod.volumes ?? []).filter((v: any) => v.emptyDir).map((v: any) => v.name));
        const account = serviceAccounts.find(
            (sa) => sa.metadata.name === pod.serviceAccountName && sa.metadata.namespace === doc.metadata.namespace && sa.automountServiceAccountToken === false,
        );
        const runsToCompletion = doc.kind === "Job" || doc.kind === "CronJob";
        const sharing = workloads.filter((o) => o.metadata.namespace === doc.metadata.namespace && (podTemplateOf(o)!.spec as any).serviceAccountName === pod.serviceAccountName);
        const containers = [
            ...(pod.initContainers ?? []).map((c: any) => ({ ...c, init: c.restartPolicy !== "Always" })),
            ...(pod.containers ?? []),
            ...(pod.ephemeralContainers ?? []),
        ];
        return {
            id: `${doc.kind} ${doc.metadata.name}`,
            namespace: doc.metadata.namespace!,
            podSecurityContext: pod.securityContext,
            automountServiceAccountToken: pod.automountServiceAccountToken,
            ownServiceAccount: account && pod.serviceAccountName !== "default" && sharing.length === 1 ? pod.serviceAccountName : undefined,
            containers: containers.map((c: any) => ({
                name: c.name,
                image: c.image,
                securityContext: c.securityContext,
                resources: c.resources,
                hasReadinessProbe: Boolean(c.readinessProbe),
                hasLivenessProbe: Boolean(c.livenessProbe),
                env: c.env ?? [],
                emptyDirMounts: (c.volumeMounts ?? []).filter((m: any) => emptyDirs.has(m.name)).map((m: any) => m.mountPath),
                init: c.init === true || runsToCompletion,
            })),
        };
    });
}
