import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { ImageRef } from "../config/image";
import { allowFromAnywhere, allowFromNamespace, allowKubernetesApi, ApiServerPeers } from "../kube/network-policy";
import { createNetworkPolicies } from "../kube/resources";
import { EdgeExposure, LoadBalancerExposure } from "../config/exposure";
import { METRICS_PORT, TRAEFIK_CHART, TRAEFIK_REPOSITORY, TcpEntryPoint, entrypointPorts, renderDefaultTlsOption, renderTraefikValues } from "./values";

export interface TraefikArgs {
    /** Namespace Traefik runs in (its own). */
    namespace: string;
    /** Namespaces holding the routes Traefik serves. */
    routeNamespaces: string[];
    chartVersion: string;
    image: ImageRef;
    /** NodePort on minikube/MicroK8s, LoadBalancer on cloud clusters. */
    serviceType: "NodePort" | "LoadBalancer";
    /**
     * Traefik pods.
     * @default 1
     */
    replicas?: number;
    resources: ContainerResources;
    /** Largest accepted upload, in MiB (sizes Traefik's buffer volume). */
    uploadLimitMiB: number;
    /**
     * Raw TCP entrypoints to open: the DICOM-TLS ports the platform's archives publish.
     * @default none
     */
    tcpEntryPoints?: TcpEntryPoint[];
    /**
     * Source ranges, internal load balancer and annotations of a LoadBalancer Service.
     * @default open to every address, public, no annotations
     */
    exposure?: Partial<EdgeExposure>;
    /** The API server's endpoint addresses and ports, the only egress Traefik needs besides the backends and DNS. */
    apiServer: ApiServerPeers;
    /** Namespace whose pods may scrape Traefik's metrics port. */
    monitoringNamespace: string;
}

/**
 * Traefik from its official chart (helm.v3.Release, pinned): HTTPS on 443 with HTTP redirected to it, a raw TCP
 * entrypoint for each published DICOM-TLS port, and a default TLSOption with TLS 1.2 as the minimum.
 */
export class Traefik extends pulumi.ComponentResource {
    /** Labels of the Traefik pods (the chart sets app.kubernetes.io/name=traefik). */
    public readonly podLabels = { "app.kubernetes.io/name": "traefik" };
    public readonly namespace: string;
    public readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: TraefikArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:Traefik", name, {}, opts);
        this.namespace = args.namespace;
        const parent = { parent: this };
        const tcpEntryPoints = args.tcpEntryPoints ?? [];
        const exposure: LoadBalancerExposure = {
            sourceRanges: args.exposure?.sourceRanges ?? [],
            internal: args.exposure?.internal ?? "",
            annotations: args.exposure?.annotations ?? {},
        };
        this.release = new k8s.helm.v3.Release(
            name,
            {
                name,
                chart: TRAEFIK_CHART,
                repositoryOpts: { repo: TRAEFIK_REPOSITORY },
                version: args.chartVersion,
                namespace: args.namespace,
                createNamespace: false,
                timeout: 600,
                values: renderTraefikValues({
                    image: args.image,
                    serviceType: args.serviceType,
                    replicas: args.replicas ?? 1,
                    resources: args.resources,
                    watchNamespaces: [...new Set([args.namespace, ...args.routeNamespaces])],
                    uploadLimitMiB: args.uploadLimitMiB,
                    tcpEntryPoints,
                    exposure,
                }),
            },
            parent,
        );
        // The TLSOption CRD comes with the chart.
        new k8s.apiextensions.CustomResource(`${name}-default-tls`, renderDefaultTlsOption(args.namespace), {
            ...parent,
            dependsOn: [this.release],
        });
        const pods = { namespace: args.namespace, podLabels: this.podLabels };
        createNetworkPolicies(this, name, [
            allowFromAnywhere("traefik-entrypoints", pods, entrypointPorts(tcpEntryPoints).map((port) => ({ port }))),
            allowKubernetesApi("traefik-kubernetes-api", pods, args.apiServer),
            allowFromNamespace("traefik-metrics", pods, args.monitoringNamespace, [{ port: METRICS_PORT }]),
        ]);
        this.registerOutputs({});
    }
}
