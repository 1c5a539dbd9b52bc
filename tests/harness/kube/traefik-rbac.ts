import { KubeObject } from "./client";

/** What a Helm release of the traefik chart is given (the inputs of pacstack's `helm.sh/v3:Release`). */
export interface TraefikReleaseInputs {
    name: string;
    namespace: string;
    values: {
        rbac?: { enabled?: boolean; namespaced?: boolean };
        fullnameOverride?: string;
        serviceAccount?: { name?: string };
        providers?: { kubernetesCRD?: { enabled?: boolean; namespaces?: string[] }; kubernetesIngress?: { enabled?: boolean } };
    };
}

const READ = ["get", "list", "watch"];
const TRAEFIK_CRD_RESOURCES = [
    "ingressroutes", "ingressroutetcps", "ingressrouteudps", "middlewares", "middlewaretcps",
    "tlsoptions", "tlsstores", "traefikservices", "serverstransports", "serverstransporttcps",
];

/** The chart's `traefik.fullname`: the release name when it contains "traefik", else "<release>-traefik". */
export function traefikFullname(release: TraefikReleaseInputs): string {
    const name = release.values.fullnameOverride ?? (release.name.includes("traefik") ? release.name : `${release.name}-traefik`);
    return name.slice(0, 63).replace(/-+$/, "");
}

/**
 * The Roles and RoleBindings traefik chart 41.3.0 renders with `rbac.namespaced: true` (templates/rbac/role.yaml
 * and rolebinding.yaml), for the CRD provider pacstack enables: one Role per namespace Traefik serves (the release
 * namespace plus providers.kubernetesCRD.namespaces) and no ClusterRole at all. Written by hand because the chart
 * cannot be fetched in CI; it is a rendering of the chart's templates for pacstack's values, not of any values.
 * Refuses values it does not model (cluster-wide RBAC, the Ingress provider) rather than guessing. In this mode the
 * chart also starts Traefik with `--providers.kubernetescrd.disableClusterScopeResources=true` (no node or
 * cluster-wide reads), which a test running Traefik must pass too.
 */
export function renderTraefikNamespacedRbac(release: TraefikReleaseInputs): KubeObject[] {
    const { values } = release;
    if (values.rbac?.enabled === false) return [];
    if (values.rbac?.namespaced !== true) throw new Error("the traefik release asks for cluster-wide RBAC (rbac.namespaced is not true)");
    if (values.providers?.kubernetesIngress?.enabled !== false) throw new Error("the Ingress provider's RBAC is not modelled here");
    const fullname = traefikFullname(release);
    const crdEnabled = values.providers?.kubernetesCRD?.enabled !== false;
    const namespaces = [...new Set([release.namespace, ...(values.providers?.kubernetesCRD?.namespaces ?? [])])].sort();
    return namespaces.flatMap((namespace) => [
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "Role",
            metadata: { name: fullname, namespace },
            rules: [
                { apiGroups: [""], resources: ["configmaps", "services"], verbs: READ },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
                { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
                { apiGroups: [""], resources: ["secrets"], verbs: READ },
                ...(crdEnabled ? [{ apiGroups: ["traefik.io"], resources: TRAEFIK_CRD_RESOURCES, verbs: READ }] : []),
            ],
        },
        {
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "RoleBinding",
            metadata: { name: fullname, namespace },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: fullname },
            subjects: [{ kind: "ServiceAccount", name: values.serviceAccount?.name || fullname, namespace: release.namespace }],
        },
    ]);
}

/** The ServiceAccount the chart creates for the release (the subject of the Roles above). */
export function traefikServiceAccount(release: TraefikReleaseInputs): KubeObject {
    return {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: release.values.serviceAccount?.name || traefikFullname(release), namespace: release.namespace },
        automountServiceAccountToken: false,
    };
}
