import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { allowDns, defaultDeny, DnsPeers } from "../kube/network-policy";
import { createNetworkPolicies } from "../kube/resources";
import { PodSecurityLevel, podSecurityLabels } from "./labels";

export interface IsolatedNamespaceArgs {
    /** The Kubernetes namespace name. */
    name: string;
    /**
     * Pod Security admission level enforced in the namespace.
     * @default "restricted"
     */
    podSecurity?: PodSecurityLevel;
    /** Where the namespace's pods resolve names (the cluster DNS pods and addresses). */
    dns: DnsPeers;
    /**
     * Provider for the namespace itself, which outlives `pulumi destroy`: give one with upsertExistingObjects so
     * that a later deployment adopts the kept namespace instead of failing with AlreadyExists.
     * @default the parent's Kubernetes provider
     */
    keptObjectProvider?: k8s.Provider;
}

/**
 * A namespace labelled for Pod Security admission, with a default-deny NetworkPolicy and DNS egress.
 * Workloads add their own explicit allows. The namespace is kept on `pulumi destroy`, because deleting
 * it would delete the PersistentVolumeClaims that hold images and the database.
 */
export class IsolatedNamespace extends pulumi.ComponentResource {
    public readonly namespace: k8s.core.v1.Namespace;
    public readonly name: pulumi.Output<string>;

    constructor(name: string, args: IsolatedNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:IsolatedNamespace", name, {}, opts);
        this.namespace = new k8s.core.v1.Namespace(
            name,
            { metadata: { labels: podSecurityLabels(args.podSecurity ?? "restricted"), name: args.name } },
            { parent: this, retainOnDelete: true, provider: args.keptObjectProvider },
        );
        this.name = this.namespace.metadata.name;
        createNetworkPolicies(this, name, [defaultDeny(args.name), allowDns(args.name, args.dns)], { dependsOn: [this.namespace] });
        this.registerOutputs({ name: this.name });
    }
}
