import { DeployedOrthancInput } from "../../../components/orthanc/deployed-config";

/**
 * The Orthanc deployment every real-software test and the benchmark run: what the Platform passes for the
 * default stack (names as the Platform derives them). loopbackOrthancConfig rewrites only its hosts, ports and paths.
 */
export const PRODUCTION_ORTHANC_INPUT: DeployedOrthancInput = {
    name: "pacstack-orthanc",
    aeTitle: "ORTHANC",
    replicas: 1,
    publicHost: "pacs.example.org",
    maxRequestBodyMiB: 2048,
    database: { host: "pacstack-postgresql.pacstack.svc.cluster.local", port: 5432, name: "orthanc", username: "orthanc" },
};
