import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { ImageRef, imageReference } from "../config/image";
import { appLabels } from "../kube/metadata";
import { OhifDataSourceInput, renderOhifAppConfig } from "./app-config";
import { Publication, Publishing } from "../publish/published";
import { viewerPublication } from "./publication";
import { APP_CONFIG_FILE, OHIF_APP, OHIF_HTTP_PORT } from "./paths";
import { renderOhifDeployment, renderOhifService } from "./workload";

export interface OhifViewerArgs {
    namespace: string;
    image: ImageRef;
    /**
     * Path the viewer is served at: "/" or a prefix such as "/viewer" (the image must be built for it).
     * @default "/"
     */
    path?: string;
    /** One DICOMweb data source per archive, with same-origin paths from the route table. */
    dataSources: OhifDataSourceInput[];
    /**
     * sourceName of the data source the study list opens.
     * @default the first data source
     */
    defaultDataSource?: string;
    /**
     * Viewer pods (nginx serving static files; any number works).
     * @default 1
     */
    replicas?: number;
    resources: ContainerResources;
}

/**
 * The OHIF viewer: the ohif/app image (nginx) serving the OHIF build, with app-config.js rendered by
 * renderOhifAppConfig in a ConfigMap and copied into the web root before the image's own entrypoint runs.
 */
export class OhifViewer extends pulumi.ComponentResource implements Publishing {
    public readonly serviceName: string;
    public readonly httpPort = OHIF_HTTP_PORT;
    public readonly path: string;
    public readonly podLabels: Record<string, string>;
    /** The rendered app-config.js. */
    public readonly appConfig: string;
    /** Its route (and the redirect to a prefix), see viewerPublication. */
    public readonly published: Publication;

    constructor(name: string, args: OhifViewerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pacstack:index:OhifViewer", name, {}, opts);
        this.path = args.path ?? "/";
        this.serviceName = name;
        this.podLabels = { "app.kubernetes.io/instance": name, "app.kubernetes.io/name": OHIF_APP };
        this.appConfig = renderOhifAppConfig({
            routerBasename: this.path,
            dataSources: args.dataSources,
            defaultDataSource: args.defaultDataSource ?? args.dataSources[0]?.name,
        });
        const parent = { parent: this };
        const labels = appLabels(OHIF_APP, name);
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-config`,
            { metadata: { labels, name: `${name}-config`, namespace: args.namespace }, data: { [APP_CONFIG_FILE]: this.appConfig } },
            parent,
        );
        const account = new k8s.core.v1.ServiceAccount(
            name,
            { metadata: { labels, name, namespace: args.namespace }, automountServiceAccountToken: false },
            parent,
        );
        new k8s.apps.v1.Deployment(
            name,
            renderOhifDeployment({
                name,
                namespace: args.namespace,
                image: imageReference(args.image),
                replicas: args.replicas ?? 1,
                resources: args.resources,
                viewerPath: this.path,
                appConfig: this.appConfig,
                configMapName: `${name}-config`,
            }),
            { ...parent, dependsOn: [account, configMap] },
        );
        new k8s.core.v1.Service(name, renderOhifService({ name, namespace: args.namespace }), parent);
        this.published = viewerPublication({ service: this.serviceName, pods: { namespace: args.namespace, podLabels: this.podLabels }, path: this.path });
        this.registerOutputs({ serviceName: this.serviceName });
    }
}
