import { DicomRight, ModalityAccess } from "../config/modalities";

/** Orthanc's per-modality permission keys, one per pacstack right. */
const PERMISSION_KEYS: Record<DicomRight, string> = {
    echo: "AllowEcho",
    store: "AllowStore",
    find: "AllowFind",
    move: "AllowMove",
    get: "AllowGet",
};
/**
 * Orthanc needs a host and port for every entry, and uses them only to send (C-MOVE, C-STORE from REST). An entry
 * without a destination gets a name under the reserved top-level domain `invalid` (RFC 6761), which never
 * resolves: a move to it fails at once instead of reaching some host.
 */
const NO_DESTINATION = { port: 104, domain: "invalid" };

/**
 * The DICOM part of Orthanc's configuration for the modalities: `DicomModalities` with every permission key
 * written out (Orthanc's own default for an absent key is "allowed"), and the always-allow switches. Storage
 * commitment and worklists are never allowed (pacstack configures neither).
 */
export function renderDicomModalities(modalities: ModalityAccess[]): Record<string, unknown> {
    const anyAeTitle = modalities.some((m) => m.aeTitle === undefined);
    const entries = modalities
        .filter((m) => m.aeTitle !== undefined)
        .map((m) => {
            const permissions = Object.fromEntries(Object.entries(PERMISSION_KEYS).map(([right, key]) => [key, m.allow.includes(right as DicomRight)]));
            return [
                m.name,
                {
                    AET: m.aeTitle,
                    Host: m.destination?.host ?? `${m.name}.${NO_DESTINATION.domain}`,
                    Port: m.destination?.port ?? NO_DESTINATION.port,
                    UseDicomTls: m.destination?.tls ?? true,
                    ...permissions,
                    AllowFindWorklist: false,
                    AllowStorageCommitment: false,
                },
            ] as const;
        });
    return {
        DicomAlwaysAllowEcho: anyAeTitle,
        DicomAlwaysAllowStore: anyAeTitle,
        DicomModalities: Object.fromEntries(entries),
        // Orthanc's default, pinned: after a restart the rendered list is the whole list (changes made through
        // the REST API are not kept).
        DicomModalitiesInDatabase: false,
    };
}
