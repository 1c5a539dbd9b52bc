import { dcm4cheePublication } from "../../components/dcm4chee/publication";
import { viewerPublication } from "../../components/ohif/publication";
import { orthancPublication } from "../../components/orthanc/publication";

/** The edge settings the route tests render with (as the Platform passes them for the default stack). */
export const EDGE = {
    name: "pacstack-routes",
    namespace: "pacstack",
    domain: "pacs.example.org",
    webEntryPoint: "websecure",
    tlsSecretName: "pacstack-web-tls",
    uploadLimitMiB: 2048,
    login: { kind: "basic" as const, secretName: "pacstack-routes-web-users" },
    tcp: { connectionsPerSource: 16, sourceRanges: [] as string[] },
};

/** What the default stack's components publish, from their own publication functions. */
const pods = (app: string) => ({ namespace: "pacstack", podLabels: { "app.kubernetes.io/name": app } });
export const PUBLISHED = {
    orthanc: orthancPublication({
        service: "pacstack-orthanc",
        pods: pods("orthanc"),
        https: { serverName: "pacstack-orthanc.pacstack.svc", caSecretName: "pacstack-orthanc-https-tls" },
        uploadLimitMiB: 2048, metricsUser: { username: "admin", password: "secret" },
    }),
    dcm4chee: dcm4cheePublication({
        service: "pacstack-dcm4chee",
        pods: pods("dcm4chee-arc"),
        https: { serverName: "pacstack-dcm4chee.pacstack.svc", caSecretName: "pacstack-dicom-tls" },
    }),
    viewer: (path = "/") => viewerPublication({ service: "pacstack-viewer", pods: pods("ohif-viewer"), path }),
};
