/**
 * A program like index.ts whose Platform gets one more service, Widget, defined only here: one route, one flow,
 * one metrics endpoint. Nothing in components/ knows it; the edge, the network and the scrape targets pick it up
 * from what it publishes.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Platform, PlatformCore, Publication, Publishing, publication, readStackConfig } from "pacstack";

export const WIDGET = { name: "pacstack-widget", httpPort: 9000, metricsPort: 9100, uploadLimitMiB: 16 };

class Widget extends pulumi.ComponentResource implements Publishing {
    public readonly published: Publication;

    constructor(name: string, core: PlatformCore, opts: pulumi.ComponentResourceOptions) {
        super("pacstack-test:index:Widget", name, {}, opts);
        const namespace = core.config.namespace;
        const pods = { namespace, podLabels: { "app.kubernetes.io/name": "widget" } };
        new k8s.core.v1.Service(
            name,
            {
                metadata: { name, namespace },
                spec: {
                    selector: pods.podLabels,
                    ports: [
                        { name: "http", port: WIDGET.httpPort, targetPort: WIDGET.httpPort },
                        { name: "metrics", port: WIDGET.metricsPort, targetPort: WIDGET.metricsPort },
                    ],
                },
            },
            { parent: this },
        );
        const database = core.database!;
        this.published = publication(name, {
            routes: [{ name: "widget", path: "/widget", backend: { service: name, port: WIDGET.httpPort, pods }, protection: "user", uploadLimitMiB: WIDGET.uploadLimitMiB }],
            flows: [{ name: "widget-to-postgresql", from: pods, to: { namespace, podLabels: database.podLabels }, ports: [{ port: database.port }] }],
            metrics: [{ name: "widget", backend: { service: name, port: WIDGET.metricsPort, pods }, path: "/metrics" }],
        });
        this.registerOutputs({});
    }
}

const platform = new Platform("pacstack", {
    config: readStackConfig(),
    services: [(core) => new Widget(WIDGET.name, core, core.inApp)],
});

export const webUrl = platform.webUrl;
export const scrapeTargets = platform.scrapeTargets;
