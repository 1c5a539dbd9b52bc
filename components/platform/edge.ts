import * as pulumi from "@pulumi/pulumi";
import { createNetworkPolicies } from "../kube/resources";
import { renderFlowPolicies } from "../publish/network";
import { Publication } from "../publish/published";
import { Routes } from "../routes/routes";
import { Traefik } from "../traefik/traefik";
import { WEB_ENTRYPOINT } from "../traefik/values";
import { PlatformCore } from "./core";

/**
 * The edge of the published data: Traefik with one TCP entrypoint per published one, and the Routes (IngressRoute,
 * IngressRouteTCPs, Middlewares, and the NetworkPolicies from Traefik to each published backend).
 */
export function createEdge(core: PlatformCore, publications: Publication[], signIn?: { proxyUrl: string }): { traefik: Traefik; routes: Routes } {
    const { config, name } = core;
    const child = { parent: core.inApp.parent, providers: core.inApp.providers };
    const traefik = new Traefik(
        `${name}-traefik`,
        {
            namespace: config.ingressNamespace,
            routeNamespaces: [config.namespace],
            chartVersion: config.traefik.chartVersion,
            image: config.traefik.image,
            serviceType: config.serviceType,
            replicas: config.platform === "cloud" ? 2 : 1,
            resources: config.traefik.resources,
            uploadLimitMiB: config.uploadLimitMiB,
            tcpEntryPoints: publications.flatMap((p) => p.entryPoints).map(({ entryPoint, port, nodePort }) => ({ entryPoint, port, nodePort })),
            exposure: config.exposure,
            apiServer: config.network.apiServer,
            monitoringNamespace: config.network.monitoringNamespace,
        },
        { ...child, dependsOn: [core.namespaces.ingress] },
    );
    const routes = new Routes(
        `${name}-routes`,
        {
            namespace: config.namespace,
            domain: core.domain,
            publications,
            ingress: { namespace: config.ingressNamespace, podLabels: traefik.podLabels },
            webEntryPoint: WEB_ENTRYPOINT,
            tlsSecretName: core.certificates.webTlsSecretName,
            uploadLimitMiB: config.uploadLimitMiB,
            login: signIn
                ? { kind: "sso", proxyUrl: signIn.proxyUrl }
                : { kind: "basic", webUsers: pulumi.interpolate`${core.webUser.username}:${core.webUser.bcryptHash}` },
            tcp: { connectionsPerSource: config.traefik.dicomConnectionsPerSource, sourceRanges: config.exposure.dicomSourceRanges },
        },
        { ...child, dependsOn: [core.namespaces.app, core.namespaces.ingress, traefik.release, core.certificates] },
    );
    return { traefik, routes };
}

/** The NetworkPolicies of every flow the components publish, as children of the Platform. */
export function createFlows(core: PlatformCore, publications: Publication[]): void {
    createNetworkPolicies(core.inApp.parent as pulumi.Resource, core.name, renderFlowPolicies(publications), {
        provider: core.provider,
        dependsOn: [core.namespaces.app, core.namespaces.ingress],
    });
}
