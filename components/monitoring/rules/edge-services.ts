import { createHash } from "node:crypto";

/**
 * The `service` label Traefik's metrics give the backend of one IngressRoute route: Traefik 3.7's Kubernetes CRD
 * provider (legacy naming, its default) names it after the route, `<namespace>-<IngressRoute name>-<the first 10
 * bytes of SHA-256(match), in hex>@kubernetescrd`, not after the Kubernetes Service (read in its name_builder.go;
 * tests/monitoring/live.real.test.ts checks the names against the real Traefik). The archive's store-error alert
 * takes the labels of the archive's routes from this.
 */
export function traefikRouteService(namespace: string, ingressRoute: string, match: string): string {
    return `${namespace}-${ingressRoute}-${createHash("sha256").update(match).digest("hex").slice(0, 20)}@kubernetescrd`;
}

/** The routes of rendered IngressRoutes whose backend is one of these Services, as Traefik's service labels. */
export function traefikServicesOf(
    ingressRoutes: { metadata: { name: string; namespace: string }; spec: { routes: { match: string; services?: { name: string }[] }[] } }[],
    services: string[],
): string[] {
    return ingressRoutes.flatMap((r) =>
        r.spec.routes.filter((route) => (route.services ?? []).some((s) => services.includes(s.name))).map((route) => traefikRouteService(r.metadata.namespace, r.metadata.name, route.match)),
    );
}
