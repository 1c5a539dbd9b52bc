import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Peer, allowTraffic } from "../kube/network-policy";
import { createNetworkPolicies } from "../kube/resources";
import { RouteTable } from "./table";
import { EdgeInput, renderIngressRoute, renderMiddlewares, renderTcpRoutes } from "./traefik-resources";

export interface RoutesArgs {
    /** Namespace of the routes and of the backends. */
    namespace: string;
    domain: string;
    table: RouteTable;
    /** Pod labels of each backend Service named in the table. */
    backends: Record<string, Record<string, string>>;
    /** The Traefik pods that forward the traffic. */
    ingress: Peer & { namespace: string };
    webEntryPoint: string;
    /** kubernetes.io/tls Secret (in `namespace`) served for the domain. */
    tlsSecretName: string;
    uploadLimitMiB: number;
    /** htpasswd line(s) of the web user (bcrypt), stored in a Secret that every router's basicAuth reads. */
    webUsers: pulumi.Input<string>;
}

/**
 * Traefik IngressRoutes, IngressRouteTCPs and Middlewares rendered from one route table, plus the
 * NetworkPolicies that let Traefik reach exactly the backends and ports the table names.
 */
export class Routes extends pulumi.ComponentResource {
    constructor(name: string, args: RoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Routes", name, {}, opts);
        const authSecretName = `${name}-web-users`;
        const users = new k8s.core.v1.Secret(
            authSecretName,
            {
                metadata: { name: authSecretName, namespace: args.namespace },
                type: "Opaque",
                stringData: { users: pulumi.secret(args.webUsers) },
            },
            { parent: this },
        );
        const edge: EdgeInput = {
            name,
            namespace: args.namespace,
            domain: args.domain,
            webEntryPoint: args.webEntryPoint,
            tlsSecretName: args.tlsSecretName,
            uploadLimitMiB: args.uploadLimitMiB,
            authSecretName,
        };
        const docs = [...renderMiddlewares(edge, args.table), renderIngressRoute(edge, args.table), ...renderTcpRoutes(edge, args.table)];
        for (const doc of docs) {
            new k8s.apiextensions.CustomResource(`${doc.metadata.name}-${doc.kind.toLowerCase()}`, doc, { parent: this, dependsOn: [users] });
        }

        const ports = new Map<string, Set<number>>();
        for (const route of [...args.table.web, ...args.table.tcp, ...args.table.redirects]) {
            ports.set(route.service.name, (ports.get(route.service.name) ?? new Set()).add(route.service.port));
        }
        for (const [service, servicePorts] of [...ports.entries()].sort()) {
            const podLabels = args.backends[service];
            if (!podLabels) {
                throw new Error(`Routes ${name}: no pod labels given for backend Service ${service}`);
            }
            createNetworkPolicies(
                this,
                name,
                allowTraffic(`ingress-to-${service}`, args.ingress, { namespace: args.namespace, podLabels }, [...servicePorts].sort((a, b) => a - b).map((port) => ({ port }))),
            );
        }
        this.registerOutputs({});
    }
}
