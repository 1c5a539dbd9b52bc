/** The stacks and setting combinations every graph-wide test runs over. */
export interface Variant {
    label: string;
    stack: string;
    overrides: Record<string, string | number>;
}

export const VARIANTS: Variant[] = [
    { label: "stack dev (minikube)", stack: "dev", overrides: {} },
    { label: "stack prod (cloud, 2 shared replicas)", stack: "prod", overrides: {} },
    { label: "microk8s", stack: "dev", overrides: { platform: "microk8s", kubeContext: "microk8s" } },
    {
        label: "own web certificate, 3 shared replicas",
        stack: "dev",
        overrides: { webTlsSecret: "hospital-wildcard-tls", orthancReplicas: 3, orthancSharedStorageClass: "nfs-client" },
    },
];
