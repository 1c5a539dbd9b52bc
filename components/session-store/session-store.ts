import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ContainerResources } from "../config/platform";
import { ImageRef, imageReference } from "../config/image";
import { appLabels, contentChecksum } from "../kube/metadata";
import { Publication, Publishing, Workload, publication } from "../publish/published";
import { SESSION_STORE_APP, SESSION_STORE_PORT, SESSION_STORE_USER, renderSessionStoreAcl, renderSessionStoreConfig } from "./settings";
import { SESSION_STORE_CONFIG_FILE, SESSION_STORE_SECRET_KEYS, podSessionStoreConfig, renderSessionStoreDeployment, renderSessionStoreService } from "./workload";

export interface SessionStoreArgs {
    namespace: string;
    image: ImageRef;
    resources: ContainerResources;
    /** Memory ceiling of the store in MiB (below resources.limits.memory). */
    maxMemoryMiB: number;
    /** The kubernetes.io/tls Secret of the store's certificate (for its Service's names). */
    tlsSecretName: string;
    /** Certificates.checksumOf that Secret. @default none */
    certificatesChecksum?: pulumi.Input<string>;
    /** The only pods that reach the store (oauth2-proxy's). */
    clients: Workload;
}

/** The flow from oauth2-proxy to its store: the only traffic the store's NetworkPolicies admit. */
export function sessionStorePublication(input: { service: string; pods: Workload; clients: Workload }): Publication {
    return publication(input.service, {
        flows: [{ name: "oauth2-proxy-to-session-store", from: input.clients, to: input.pods, ports: [{ port: SESSION_STORE_PORT }] }],
    });
}

/**
 * oauth2-proxy's server-side session store: one Valkey pod, TLS only, the default user off and one user for the
 * proxy with a generated password (in a Secret only), nothing kept on disk. Sign-out deletes the session here, so a
 * copy of the signed-out cookie is refused at once. Sessions are encrypted by oauth2-proxy with a key that only the
 * cookie holds; the store sees ciphertext.
 */
export class SessionStore extends pulumi.ComponentResource implements Publishing {
    public readonly published: Publication;
    /** `rediss://<service>.<namespace>.svc:6379`: TLS, verified against the pacstack CA. */
    public readonly url: string;
    public readonly username = SESSION_STORE_USER;
    /** The Secret (and its key) with the proxy's password. */
    public readonly passwordSecret: { name: string; key: string };
    /** The Secret whose `ca.crt` the proxy trusts for the store. */
    public readonly caSecretName: string;

    constructor(name: string, args: SessionStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:SessionStore", name, {}, opts);
        const parent = { parent: this };
        const labels = appLabels(SESSION_STORE_APP, name);
        const pods = { namespace: args.namespace, podLabels: { "app.kubernetes.io/instance": name, "app.kubernetes.io/name": SESSION_STORE_APP } };
        const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, parent);
        const secretName = `${name}-credentials`;
        const acl = password.result.apply(renderSessionStoreAcl);
        const secret = new k8s.core.v1.Secret(
            secretName,
            {
                metadata: { labels, name: secretName, namespace: args.namespace },
                type: "Opaque",
                stringData: { [SESSION_STORE_SECRET_KEYS.acl]: pulumi.secret(acl), [SESSION_STORE_SECRET_KEYS.password]: pulumi.secret(password.result) },
            },
            parent,
        );
        const config = renderSessionStoreConfig(podSessionStoreConfig(args.maxMemoryMiB));
        const configMapName = `${name}-config`;
        const configMap = new k8s.core.v1.ConfigMap(configMapName, { metadata: { labels, name: configMapName, namespace: args.namespace }, data: { [SESSION_STORE_CONFIG_FILE]: config } }, parent);
        const account = new k8s.core.v1.ServiceAccount(name, { metadata: { labels, name, namespace: args.namespace }, automountServiceAccountToken: false }, parent);
        const deployment = pulumi.all([pulumi.secret(acl).apply((text) => contentChecksum(text)), args.certificatesChecksum]).apply(([aclChecksum, certificatesChecksum]) =>
            renderSessionStoreDeployment({
                name,
                namespace: args.namespace,
                image: imageReference(args.image),
                resources: args.resources,
                config,
                configMapName,
                secretName,
                tlsSecretName: args.tlsSecretName,
                certificatesChecksum,
                aclChecksum,
            }),
        );
        // The ACL's SHA-256 reveals nothing of a 32-character random password; the Deployment itself holds no secret.
        new k8s.apps.v1.Deployment(name, pulumi.unsecret(deployment), { ...parent, dependsOn: [account, configMap, secret] });
        new k8s.core.v1.Service(name, renderSessionStoreService({ name, namespace: args.namespace }), parent);
        this.url = `rediss://${name}.${args.namespace}.svc:${SESSION_STORE_PORT}`;
        this.passwordSecret = { name: secretName, key: SESSION_STORE_SECRET_KEYS.password };
        this.caSecretName = args.tlsSecretName;
        this.published = sessionStorePublication({ service: name, pods, clients: args.clients });
        this.registerOutputs({});
    }
}
