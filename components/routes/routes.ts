import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createNetworkPolicies } from "../kube/resources";
import { renderEdgePolicies } from "../publish/network";
import { Publication, Workload } from "../publish/published";
import { EdgeLogin } from "./sign-in";
import { renderRouteTable } from "./table";
import { DEFAULT_TCP_CONNECTIONS_PER_SOURCE, EdgeInput, TcpLimits, renderIngressRoute, renderMiddlewares, renderServersTransports, renderTcpMiddlewares, renderTcpRoutes } from "./traefik-resources";

export interface RoutesArgs {
    /** Namespace of the routes (Traefik reads it, see TraefikArgs.routeNamespaces). */
    namespace: string;
    domain: pulumi.Input<string>;
    /** What the platform's components publish: their web routes, redirects and TCP entrypoints. */
    publications: Publication[];
    /** The Traefik pods that forward the traffic. */
    ingress: Workload;
    webEntryPoint: string;
    /** kubernetes.io/tls Secret (in `namespace`) served for the domain. */
    tlsSecretName: pulumi.Input<string>;
    /** Body limit of writes on routes that publish none of their own, in MiB. */
    uploadLimitMiB: number;
    /**
     * How the routers ask for a login. `basic`: the htpasswd line(s) of the web user (bcrypt), stored in a Secret
     * that every router's basicAuth reads. `sso`: oauth2-proxy's in-cluster base URL, asked by forwardAuth.
     */
    login: { kind: "basic"; webUsers: pulumi.Input<string> } | { kind: "sso"; proxyUrl: string };
    /**
     * Limits of the raw TCP (DICOM-TLS, HL7-TLS) routes.
     * @default DEFAULT_TCP_CONNECTIONS_PER_SOURCE (16) connections per client address, every address admitted
     */
    tcp?: Partial<TcpLimits>;
}

/**
 * Traefik IngressRoutes, IngressRouteTCPs, Middlewares and ServersTransports (HTTPS backends) rendered from the route table of the published routes,
 * plus the NetworkPolicies that let Traefik reach exactly the backends and ports published.
 */
export class Routes extends pulumi.ComponentResource {
    constructor(name: string, args: RoutesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Routes", name, {}, opts);
        const authSecretName = `${name}-web-users`;
        const users =
            args.login.kind === "basic"
                ? [
                      new k8s.core.v1.Secret(
                          authSecretName,
                          {
                              metadata: { name: authSecretName, namespace: args.namespace },
                              type: "Opaque",
                              stringData: { users: pulumi.secret(args.login.webUsers) },
                          },
                          { parent: this },
                      ),
                  ]
                : [];
        const login: EdgeLogin = args.login.kind === "basic" ? { kind: "basic", secretName: authSecretName } : args.login;
        const edge = (domain: string): EdgeInput => ({
            name,
            namespace: args.namespace,
            domain,
            webEntryPoint: args.webEntryPoint,
            tlsSecretName: args.tlsSecretName,
            uploadLimitMiB: args.uploadLimitMiB,
            login,
            tcp: { connectionsPerSource: args.tcp?.connectionsPerSource ?? DEFAULT_TCP_CONNECTIONS_PER_SOURCE, sourceRanges: args.tcp?.sourceRanges ?? [] },
        });
        const table = renderRouteTable(args.publications);
        const render = (input: EdgeInput) => [
            ...renderMiddlewares(input, table),
            ...renderServersTransports(input, table),
            renderIngressRoute(input, table),
            ...renderTcpRoutes(input, table),
            ...renderTcpMiddlewares(input, table),
        ];
        // Names and kinds never depend on the domain; the specs (Host rules) are rendered once it is known.
        const specs = pulumi.output(args.domain).apply((domain) => render(edge(domain)).map((doc) => doc.spec));
        render(edge("")).forEach((doc, index) => {
            new k8s.apiextensions.CustomResource(
                `${doc.metadata.name}-${doc.kind.toLowerCase()}`,
                { apiVersion: doc.apiVersion, kind: doc.kind, metadata: doc.metadata, spec: specs.apply((all) => all[index]) },
                { parent: this, dependsOn: users },
            );
        });
        createNetworkPolicies(this, name, renderEdgePolicies(args.ingress, args.publications));
        this.registerOutputs({});
    }
}
