import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NetworkPolicyDoc } from "./network-policy";

/** Registers rendered NetworkPolicies as children of `parent`, named `<prefix>-<policy name>`. */
export function createNetworkPolicies(
    parent: pulumi.Resource,
    prefix: string,
    docs: NetworkPolicyDoc[],
    opts: pulumi.CustomResourceOptions = {},
): k8s.networking.v1.NetworkPolicy[] {
    return docs.map(
        (doc) => new k8s.networking.v1.NetworkPolicy(`${prefix}-${doc.metadata.name}`, doc, { ...opts, parent }),
    );
}
