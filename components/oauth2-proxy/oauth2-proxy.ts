import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ContainerResources } from "../config/platform";
import { ImageRef } from "../config/image";
import { Publication, Publishing, Workload, publication } from "../publish/published";
import { PROXY_PORT, PROXY_PREFIX } from "./settings";
import { OAUTH2_PROXY_CHART, OAUTH2_PROXY_REPOSITORY } from "./version";
import { PROXY_SECRET_KEYS, ProxyValuesInput, renderProxyValues } from "./values";

export interface OAuth2ProxyArgs {
    namespace: string;
    chartVersion: string;
    image: ImageRef;
    /** @default 1 */
    replicas?: number;
    resources: ContainerResources;
    /** The site's public base URL with a trailing slash (the platform's webUrl). */
    publicUrl: pulumi.Input<string>;
    /** Keycloak's public base URL (its --hostname), e.g. `https://pacs.example.org/auth`. */
    keycloakPublicUrl: pulumi.Input<string>;
    /** Keycloak's in-cluster base URL, e.g. `http://pacstack-keycloak.pacstack.svc:8080/auth`. */
    keycloakInternalUrl: string;
    /** The secret of Keycloak's oauth2-proxy client (kept in the proxy's own Secret, mounted as a file). */
    clientSecret: pulumi.Input<string>;
    /** Keycloak's pods and HTTP port: the proxy's only way out besides DNS. */
    keycloak: Workload & { port: number };
    /**
     * The credential the edge presents to backends that keep their own authentication (Orthanc's RegisteredUsers
     * holds it); undefined: no backend asks for one.
     */
    backendCredential?: { username: string; password: pulumi.Input<string> };
    /** The server-side session store (SessionStore): URL, user, password Secret and the Secret of its CA. */
    sessionStore: ProxyValuesInput["sessionStore"];
}

/** The `Authorization` value of a basic credential (what the proxy hands Traefik for Orthanc). */
export function basicAuthorizationValue(username: string, password: string): string {
    return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** What the proxy publishes: its own paths on the public host (sign-in callback, sign-out), and its flow to Keycloak. */
export function proxyPublication(input: { service: string; pods: Workload; keycloak: Workload & { port: number } }): Publication {
    return publication(input.service, {
        routes: [{ name: "oauth2-proxy", path: PROXY_PREFIX, backend: { service: input.service, port: PROXY_PORT, pods: input.pods }, protection: "public" }],
        flows: [
            {
                name: "oauth2-proxy-to-keycloak",
                from: input.pods,
                to: { namespace: input.keycloak.namespace, podLabels: input.keycloak.podLabels },
                ports: [{ port: input.keycloak.port }],
            },
        ],
    });
}

/**
 * oauth2-proxy from its official chart (helm.v3.Release, pinned): the sign-in between browsers or scripts and
 * Keycloak that Traefik's forwardAuth asks on every protected route. A generated cookie secret and the edge's
 * backend credential live in its own Secret with the Keycloak client's secret, which is mounted as a file.
 */
export class OAuth2Proxy extends pulumi.ComponentResource implements Publishing {
    public readonly published: Publication;
    /** In-cluster base URL of the proxy (what forwardAuth calls). */
    public readonly serviceUrl: string;
    public readonly podLabels: Record<string, string>;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: OAuth2ProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:OAuth2Proxy", name, {}, opts);
        const parent = { parent: this };
        this.podLabels = { "app.kubernetes.io/name": OAUTH2_PROXY_CHART, "app.kubernetes.io/instance": name };
        this.serviceUrl = `http://${name}.${args.namespace}.svc:${PROXY_PORT}`;
        const pods = { namespace: args.namespace, podLabels: this.podLabels };

        // 32 random letters and digits: an AES-256 key as oauth2-proxy takes it (16, 24 or 32 bytes).
        const cookieSecret = new random.RandomPassword(`${name}-cookie-secret`, { length: 32, special: false }, parent);
        const credential = args.backendCredential;
        const backendAuthorization = credential
            ? pulumi.output(credential.password).apply((password) => basicAuthorizationValue(credential.username, password))
            : pulumi.output("");
        const secretName = `${name}-secrets`;
        const secret = new k8s.core.v1.Secret(
            secretName,
            {
                metadata: { name: secretName, namespace: args.namespace },
                type: "Opaque",
                stringData: {
                    [PROXY_SECRET_KEYS.cookieSecret]: pulumi.secret(cookieSecret.result),
                    [PROXY_SECRET_KEYS.clientSecret]: pulumi.secret(args.clientSecret),
                    [PROXY_SECRET_KEYS.backendAuthorization]: pulumi.secret(backendAuthorization),
                },
            },
            parent,
        );
        const values = pulumi.all([args.publicUrl, args.keycloakPublicUrl]).apply(([publicUrl, keycloakPublicUrl]) => {
            const input: ProxyValuesInput = {
                name,
                image: args.image,
                replicas: args.replicas ?? 1,
                resources: args.resources,
                secretName,
                sessionStore: args.sessionStore,
                settings: { publicUrl, keycloakPublicUrl, keycloakInternalUrl: args.keycloakInternalUrl },
            };
            return renderProxyValues(input);
        });
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name,
                chart: OAUTH2_PROXY_CHART,
                repositoryOpts: { repo: OAUTH2_PROXY_REPOSITORY },
                version: args.chartVersion,
                namespace: args.namespace,
                createNamespace: false,
                timeout: 600,
                values,
            },
            { ...parent, dependsOn: [secret] },
        );
        this.published = proxyPublication({ service: name, pods, keycloak: args.keycloak });
        this.registerOutputs({});
    }
}
