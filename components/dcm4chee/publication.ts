import { NODE_PORTS } from "../config/platform";
import { Publication, Workload, publication } from "../publish/published";
import { ARCHIVE_WEBAPP, PORTS } from "./paths";

/** The edge's DICOM-TLS entrypoint for dcm4chee, beside Orthanc's: 11113 (node port 31113). */
export const DCM4CHEE_DICOM_ENTRYPOINT = { entryPoint: "dicom-dcm4chee", port: 11113, nodePort: NODE_PORTS.dicomDcm4chee } as const;

/**
 * What dcm4chee publishes: its webapp (UI at /ui2, DICOMweb at /aets/<AET>/rs, WADO-URI) at its native path
 * behind the web user, the credentials removed (the image has no REST authentication of its own), and its
 * DICOM-TLS port passed through on its own entrypoint. Its LDAP and database flows stay inside the component.
 */
export function dcm4cheePublication(input: { service: string; pods: Workload }): Publication {
    return publication(input.service, {
        routes: [{ name: "dcm4chee", path: ARCHIVE_WEBAPP, backend: { service: input.service, port: PORTS.http, pods: input.pods }, protection: "user" }],
        entryPoints: [{ name: "dcm4chee-dicom", ...DCM4CHEE_DICOM_ENTRYPOINT, backend: { service: input.service, port: PORTS.dicomTls, pods: input.pods } }],
    });
}
