import * as pulumi from "@pulumi/pulumi";
import { NODE_PORTS } from "../config/platform";
import { BackendTls, Publication, Workload, publication } from "../publish/published";
import { ORTHANC_DICOM_PORT, ORTHANC_HTTP_PORT } from "./config";

/** Public paths of Orthanc's web services, as its routes serve them. */
export const ORTHANC_WEB_PATHS = { ui: "/orthanc/", dicomWeb: "/dicom-web", wadoUri: "/orthanc/wado" } as const;
/** The edge's DICOM-TLS entrypoint for Orthanc: the DICOM port 11112 (node port 31112). */
export const ORTHANC_DICOM_ENTRYPOINT = { entryPoint: "dicom", port: 11112, nodePort: NODE_PORTS.dicom } as const;
/** The browser pages under /orthanc: its root (which redirects to Explorer 2) and the two Explorers. */
export const ORTHANC_PAGE_PATHS = ["/", "/ui/app/", "/app/"];
/** Orthanc's Prometheus endpoint (same credentials as its REST API). */
export const ORTHANC_METRICS_PATH = "/tools/metrics-prometheus";

export interface OrthancPublicationInput {
    /** Name of the Service. */
    service: string;
    pods: Workload;
    /** Orthanc serves its REST API over HTTPS; the edge verifies it so. */
    https: BackendTls;
    /** Body limit Orthanc enforces; its routes publish the same. */
    uploadLimitMiB: number;
    /** The database pods and port Orthanc connects to (the flow it needs); undefined publishes no flow. */
    database?: Workload & { port: number };
    /** The REST user that may read the metrics. */
    metricsUser: { username: string; password: pulumi.Input<string> };
}

/**
 * What Orthanc publishes: REST/Explorer under /orthanc/ (prefix stripped, administrators) and DICOMweb at
 * /dicom-web (signed-in users), both over HTTPS that the edge verifies, both forwarding the credentials because Orthanc keeps its own authentication on;
 * DICOM-TLS passed through on its entrypoint; the flow to its database; its metrics endpoint.
 */
export function orthancPublication(input: OrthancPublicationInput): Publication {
    const http = { service: input.service, port: ORTHANC_HTTP_PORT, pods: input.pods, tls: input.https };
    const common = { backend: http, forwardCredentials: true, uploadLimitMiB: input.uploadLimitMiB };
    return publication(input.service, {
        routes: [
            // REST API and Orthanc Explorer; Orthanc serves them at its root. Signed out, the REST API answers 401
            // and the Explorers' pages (Explorer 2 under /ui/app/, the legacy one under /app/) go to the sign-in page.
            { name: "orthanc", path: "/orthanc", stripPath: true, protection: "admin", signIn: "api", pagePaths: ORTHANC_PAGE_PATHS, ...common },
            // DICOMweb keeps its path: the plugin's Root is /dicom-web/.
            { name: "dicom-web", path: ORTHANC_WEB_PATHS.dicomWeb, protection: "user", signIn: "api", ...common },
        ],
        entryPoints: [{ name: "orthanc-dicom", ...ORTHANC_DICOM_ENTRYPOINT, backend: { service: input.service, port: ORTHANC_DICOM_PORT, pods: input.pods } }],
        flows: input.database
            ? [{ name: "orthanc-to-postgresql", from: input.pods, to: { namespace: input.database.namespace, podLabels: input.database.podLabels }, ports: [{ port: input.database.port }] }]
            : [],
        metrics: [{ name: "orthanc", backend: http, path: ORTHANC_METRICS_PATH, credential: input.metricsUser }],
    });
}
