/**
 * What the real Traefik reads, taken from a plan of the whole program (the objects pacstack renders, as `pulumi up`
 * would apply them): the Traefik release's values, the namespaces, and every Service and Traefik resource of the
 * routes. Secrets are redacted in a plan, so the test fills the ones Traefik reads with values of its own.
 */
import { keycloakPodLabels } from "../../../components/keycloak/values";
import { PlanResult } from "../plan-runner";

export interface PlanObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
    [key: string]: any;
}

export interface TraefikRelease {
    name: string;
    namespace: string;
    values: Record<string, any>;
}

/** Kinds Traefik's CRD provider reads (besides Secrets and EndpointSlices). */
const TRAEFIK_KINDS = ["IngressRoute", "IngressRouteTCP", "Middleware", "MiddlewareTCP", "TLSOption", "ServersTransport", "ServersTransportTCP"];

function objects(plan: PlanResult): PlanObject[] {
    if (plan.code !== 0) throw new Error(`the plan failed:\n${plan.stderr}`);
    return plan.resources.filter((r) => r.type.startsWith("kubernetes:") && !r.type.includes("helm.sh")).map((r) => structuredClone(r.inputs) as PlanObject);
}

export function traefikReleaseOf(plan: PlanResult): TraefikRelease {
    const releases = plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "traefik");
    if (releases.length !== 1) throw new Error(`expected one traefik release in the plan, found ${releases.length}`);
    const inputs = releases[0].inputs as { name: string; namespace: string; values: Record<string, any> };
    return { name: inputs.name, namespace: inputs.namespace, values: inputs.values };
}

/** The namespaces, Services and Traefik resources of a plan, and the names of the Secrets those resources read. */
export function edgeObjectsOf(plan: PlanResult) {
    const all = objects(plan);
    const namespaces = all.filter((o) => o.kind === "Namespace");
    const traefik = all.filter((o) => TRAEFIK_KINDS.includes(o.kind));
    const services = [...all.filter((o) => o.kind === "Service"), ...keycloakChartServices(plan)];
    const secretNames = new Set<string>();
    for (const o of traefik) {
        if (o.kind === "IngressRoute" && o.spec.tls?.secretName) secretNames.add(o.spec.tls.secretName);
        if (o.kind === "Middleware" && o.spec.basicAuth?.secret) secretNames.add(o.spec.basicAuth.secret);
        for (const ca of o.kind === "ServersTransport" ? (o.spec.rootCAs ?? []) : []) if (ca.secret) secretNames.add(ca.secret);
    }
    const secrets = all.filter((o) => o.kind === "Secret" && secretNames.has(o.metadata.name));
    return { namespaces, traefik, services, secrets };
}

/**
 * The HTTP Service the keycloakx chart renders for a release (its templates/service-http.yaml at 7.1.11: `<fullname>-http`
 * with the management port 9000 and `service.httpPort`), which the Keycloak route names; the chart itself cannot be
 * rendered here.
 */
function keycloakChartServices(plan: PlanResult): PlanObject[] {
    return plan.resources
        .filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "keycloakx")
        .map((r) => {
            const { namespace, values } = r.inputs as { namespace: string; values: { fullnameOverride: string; service: { httpPort: number } } };
            return {
                apiVersion: "v1",
                kind: "Service",
                metadata: { name: `${values.fullnameOverride}-http`, namespace, labels: { "app.kubernetes.io/name": "keycloak", "app.kubernetes.io/component": "http" } },
                spec: {
                    type: "ClusterIP",
                    selector: keycloakPodLabels(values.fullnameOverride),
                    ports: [
                        { name: "http-internal", port: 9000, protocol: "TCP", targetPort: "http-internal" },
                        { name: "http", port: values.service.httpPort, protocol: "TCP", targetPort: "http" },
                    ],
                },
            };
        });
}

/** The Services the routes send traffic to, with the ports they name (`<namespace>/<name>` → port numbers). */
export function routedServices(traefik: PlanObject[]): Map<string, Set<number>> {
    const routed = new Map<string, Set<number>>();
    const add = (namespace: string, service: { name: string; port: number }) => {
        const key = `${namespace}/${service.name}`;
        routed.set(key, (routed.get(key) ?? new Set()).add(service.port));
    };
    for (const o of traefik) {
        if (o.kind !== "IngressRoute" && o.kind !== "IngressRouteTCP") continue;
        for (const route of o.spec.routes) for (const service of route.services) add(o.metadata.namespace!, service);
    }
    return routed;
}

/** The Services the routes reach over HTTPS, with the port, their ServersTransport's expected name and CA Secret. */
export function httpsBackendsOf(traefik: PlanObject[]): Map<string, { port: number; serverName: string; caSecret: string }> {
    const transports = new Map(traefik.filter((o) => o.kind === "ServersTransport").map((o) => [o.metadata.name, o.spec]));
    const backends = new Map<string, { port: number; serverName: string; caSecret: string }>();
    for (const o of traefik.filter((o) => o.kind === "IngressRoute")) {
        for (const route of o.spec.routes) {
            for (const service of route.services.filter((s: { serversTransport?: string }) => s.serversTransport)) {
                const spec = transports.get(service.serversTransport);
                if (!spec || service.scheme !== "https") throw new Error(`${service.name}: serversTransport ${service.serversTransport} without its object or the https scheme`);
                backends.set(service.name, { port: service.port, serverName: spec.serverName, caSecret: spec.rootCAs[0].secret });
            }
        }
    }
    return backends;
}

/**
 * An EndpointSlice that points a Service's named ports at processes on loopback. The API server refuses
 * 127.0.0.0/8 in IPv4 and IPv6 endpoint addresses (ValidateEndpointIP), so the address is a host name (address type
 * FQDN) that resolves to 127.0.0.1 in Traefik's mount namespace; Traefik builds a server URL from an endpoint's
 * address the same way for every address type.
 */
export function loopbackEndpointSlice(service: PlanObject, hostName: string, ports: Record<string, number>): PlanObject {
    const servicePorts = (service.spec.ports as { name: string }[]).map((p) => p.name);
    for (const name of Object.keys(ports)) {
        if (!servicePorts.includes(name)) throw new Error(`Service ${service.metadata.name} has no port named ${name}`);
    }
    return {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
            name: `${service.metadata.name}-loopback`,
            namespace: service.metadata.namespace,
            labels: { "kubernetes.io/service-name": service.metadata.name, "endpointslice.kubernetes.io/managed-by": "pacstack-tests" },
        },
        addressType: "FQDN",
        endpoints: [{ addresses: [hostName], conditions: { ready: true, serving: true, terminating: false } }],
        ports: Object.entries(ports).map(([name, port]) => ({ name, port, protocol: "TCP" })),
    };
}
