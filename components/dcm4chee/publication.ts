import { NODE_PORTS } from "../config/platform";
import { BackendTls, Publication, Workload, publication } from "../publish/published";
import { ARCHIVE_WEBAPP, PORTS } from "./paths";

/** The edge's DICOM-TLS entrypoint for dcm4chee, beside Orthanc's: 11113 (node port 31113). */
export const DCM4CHEE_DICOM_ENTRYPOINT = { entryPoint: "dicom-dcm4chee", port: 11113, nodePort: NODE_PORTS.dicomDcm4chee } as const;

/**
 * The edge's HL7 entrypoint for dcm4chee: MLLP over TLS on 12575 (node port 32575), passed through to the archive's
 * own HL7-TLS receiver, which presents pacstack's DICOM certificate and requires a client certificate from the
 * pacstack CA (dcm4che's LDAP schema: dcmTLSNeedClientAuth is "required if absent"), so TLS runs end to end.
 */
export const DCM4CHEE_HL7_ENTRYPOINT = { entryPoint: "hl7-dcm4chee", port: 12575, nodePort: NODE_PORTS.hl7Dcm4chee } as const;

/**
 * What dcm4chee publishes: its webapp (DICOMweb at /aets/<AET>/rs, WADO-URI) at its native path for signed-in
 * users and its UI at /ui2 for administrators, over Wildfly's HTTPS (its KEYSTORE holds the DICOM certificate, which also names the
 * archive's Service; the edge verifies it), the credentials removed (the image has no REST authentication of its
 * own), and its DICOM-TLS and HL7-TLS ports passed through on their own entrypoints. Its LDAP and database flows stay
 * inside the component.
 */
export function dcm4cheePublication(input: { service: string; pods: Workload; https: BackendTls; keycloak?: Workload & { port: number } }): Publication {
    const web = { service: input.service, port: PORTS.https, pods: input.pods, tls: input.https };
    return publication(input.service, {
        routes: [
            // Its REST services (DICOMweb, the UI's backend) answer 401 when signed out.
            { name: "dcm4chee", path: ARCHIVE_WEBAPP, backend: web, protection: "user", signIn: "api" },
            // The archive's administration UI: administrators only under single sign-on (the same web user with basic auth).
            { name: "dcm4chee-ui", path: `${ARCHIVE_WEBAPP}/ui2`, backend: web, protection: "admin" },
        ],
        // With single sign-on its Wildfly fetches Keycloak's keys and redeems the UI's codes in the cluster.
        flows: input.keycloak
            ? [{ name: "dcm4chee-to-keycloak", from: input.pods, to: { namespace: input.keycloak.namespace, podLabels: input.keycloak.podLabels }, ports: [{ port: input.keycloak.port }] }]
            : [],
        entryPoints: [
            { name: "dcm4chee-dicom", ...DCM4CHEE_DICOM_ENTRYPOINT, backend: { service: input.service, port: PORTS.dicomTls, pods: input.pods } },
            { name: "dcm4chee-hl7", ...DCM4CHEE_HL7_ENTRYPOINT, backend: { service: input.service, port: PORTS.hl7Tls, pods: input.pods } },
        ],
    });
}
