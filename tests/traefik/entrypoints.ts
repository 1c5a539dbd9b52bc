import { DCM4CHEE_DICOM_ENTRYPOINT } from "../../components/dcm4chee/publication";
import { ORTHANC_DICOM_ENTRYPOINT } from "../../components/orthanc/publication";
import { TcpEntryPoint } from "../../components/traefik/values";

/** The TCP entrypoints the deployed archives publish (Orthanc's DICOM-TLS, dcm4chee's), as the Platform passes them. */
export function archiveEntryPoints(dicom: { orthanc: boolean; dcm4chee: boolean }): TcpEntryPoint[] {
    return [...(dicom.orthanc ? [ORTHANC_DICOM_ENTRYPOINT] : []), ...(dicom.dcm4chee ? [DCM4CHEE_DICOM_ENTRYPOINT] : [])];
}

export const DCM4CHEE_DICOM_PORT = DCM4CHEE_DICOM_ENTRYPOINT.port;
