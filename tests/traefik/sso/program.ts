/**
 * The dev program with single sign-on: index.ts's Platform plus an identity provider that declares Keycloak's
 * Service and publishes its routes (its pages and endpoints at /auth, public; its admin console at /auth/admin,
 * administrators only), as the Keycloak component does. The real-software test runs Keycloak from Maven Central's
 * dist behind that Service; the edge, oauth2-proxy and their flows come from pacstack's own code.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { IdentityProvider, Platform, PlatformCore, Publication, publication, readStackConfig } from "pacstack";

export const KEYCLOAK = { name: "pacstack-keycloak", port: 8080, path: "/auth" };

class TestKeycloak extends pulumi.ComponentResource implements IdentityProvider {
    public readonly published: Publication;
    public readonly publicUrl: pulumi.Output<string>;
    public readonly internalUrl: string;
    public readonly proxyClientSecret: pulumi.Output<string>;
    public readonly workload: IdentityProvider["workload"];

    constructor(core: PlatformCore) {
        super("pacstack-test:index:Keycloak", KEYCLOAK.name, {}, core.inApp);
        const namespace = core.config.namespace;
        const pods = { namespace, podLabels: { "app.kubernetes.io/name": "keycloak" } };
        new k8s.core.v1.Service(
            KEYCLOAK.name,
            { metadata: { name: KEYCLOAK.name, namespace }, spec: { selector: pods.podLabels, ports: [{ name: "http", port: KEYCLOAK.port, targetPort: KEYCLOAK.port }] } },
            { parent: this },
        );
        this.publicUrl = core.webUrl.apply((url) => `${url}${KEYCLOAK.path.slice(1)}`);
        this.internalUrl = `http://${KEYCLOAK.name}.${namespace}.svc:${KEYCLOAK.port}${KEYCLOAK.path}`;
        this.workload = { ...pods, port: KEYCLOAK.port };
        this.proxyClientSecret = pulumi.secret(new random.RandomPassword(`${KEYCLOAK.name}-proxy-client`, { length: 32, special: false }, { parent: this }).result);
        const backend = { service: KEYCLOAK.name, port: KEYCLOAK.port, pods };
        this.published = publication(KEYCLOAK.name, {
            routes: [
                { name: "keycloak", path: KEYCLOAK.path, backend, protection: "public" },
                // Its admin console sends its own bearer tokens to its admin API: they pass the edge unchanged.
                { name: "keycloak-admin", path: `${KEYCLOAK.path}/admin`, backend, protection: "admin", passAuthorization: true },
            ],
        });
        this.registerOutputs({});
    }
}

const platform = new Platform("pacstack", { config: readStackConfig(), identity: (core) => new TestKeycloak(core) });

export const webUrl = platform.webUrl;
export const viewerUrl = platform.viewerUrl;
