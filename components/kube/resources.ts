import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NetworkPolicyDoc } from "./network-policy";

/**
 * Registers rendered NetworkPolicies as children of `parent`. Each object is named `<prefix>-<policy name>` like its
 * resource, so pacstack's policies never collide with a namespace's own (`default-deny`, `allow-dns`, ...).
 */
export function createNetworkPolicies(
    parent: pulumi.Resource,
    prefix: string,
    docs: NetworkPolicyDoc[],
    opts: pulumi.CustomResourceOptions = {},
): k8s.networking.v1.NetworkPolicy[] {
    return docs.map(
        (doc) => {
            const name = `${prefix}-${doc.metadata.name}`;
            return new k8s.networking.v1.NetworkPolicy(name, { ...doc, metadata: { ...doc.metadata, name } }, { ...opts, parent });
        },
    );
}
