import { ModalityAccess } from "../../../components/config/modalities";
import { DeployedOrthancInput } from "../../../components/orthanc/deployed-config";

/** The AE title the tests' dcmtk tools call with unless told otherwise (tests/harness/real/dicom.ts). */
export const TEST_MODALITY: ModalityAccess = { name: "test-modality", aeTitle: "PACSTACKTEST", allow: ["store", "echo"] };

/**
 * The Orthanc deployment every real-software test and the benchmark run: what the Platform passes for the
 * default stack (names as the Platform derives them) with one modality that may store and echo, the AE title the
 * tests' dcmtk tools call with. loopbackOrthancConfig rewrites only its hosts, ports and paths.
 */
export const PRODUCTION_ORTHANC_INPUT: DeployedOrthancInput = {
    name: "pacstack-orthanc",
    aeTitle: "ORTHANC",
    replicas: 1,
    publicAuthority: "pacs.example.org",
    maxRequestBodyMiB: 2048,
    // 90 % of the 20Gi DICOM volume of minikube/MicroK8s (orthancStorageCeilingMiB).
    maximumStorageMiB: 18432,
    database: { host: "pacstack-postgresql.pacstack.svc.cluster.local", port: 5432, name: "orthanc", username: "orthanc" },
    modalities: [TEST_MODALITY],
};
