/**
 * orthanc.extraConfig: Orthanc configuration pacstack does not model, deep-merged last into the rendered
 * orthanc.json. Objects merge key by key (at any depth), anything else (strings, numbers, booleans, lists) replaces
 * the rendered value. Keys that would undo pacstack's security, move its data or contradict what the rest of the
 * platform was built for are refused, and so are secrets: the document lands in a ConfigMap.
 */

type Json = unknown;
const isObject = (value: Json): value is Record<string, Json> => value !== null && typeof value === "object" && !Array.isArray(value);

/** Keys whose only allowed value is pacstack's: changing them undoes a security or durability setting. */
export const PINNED_ORTHANC_KEYS: Record<string, { value: Json; why: string }> = {
    AuthenticationEnabled: { value: true, why: "every REST and DICOMweb call must carry credentials" },
    RemoteAccessAllowed: { value: true, why: "Traefik reaches Orthanc from another pod; access is guarded by AuthenticationEnabled" },
    ExecuteLuaEnabled: { value: false, why: "Lua sent over REST would run inside Orthanc" },
    RestApiWriteToFileSystemEnabled: { value: false, why: "REST calls would write to the container's file system" },
    WebDavEnabled: { value: false, why: "WebDAV is a second way into the archive that pacstack does not route" },
    DicomTlsEnabled: { value: true, why: "DICOM is served over TLS only" },
    DicomTlsRemoteCertificateRequired: { value: true, why: "modalities must present their own certificate" },
    MaximumStorageMode: { value: "Reject", why: "a full archive refuses new studies; Recycle would delete the oldest patients" },
    DicomTlsMinimumProtocolVersion: { value: 4, why: "DICOM TLS follows BCP 195: TLS 1.2 and 1.3 only (README: DICOM TLS policy)" },
    DicomCheckCalledAet: { value: true, why: "associations must call Orthanc's own AE title" },
    DicomModalitiesInDatabase: { value: false, why: "REST calls would add modalities with rights pacstack:modalities does not give" },
    HttpsVerifyPeers: { value: true, why: "outgoing HTTPS must verify the server's certificate" },
    OrthancPeersInDatabase: { value: false, why: "REST calls would add peers that pacstack:orthanc.peers does not verify" },
    DeidentifyLogs: { value: true, why: "patient data stays out of the logs" },
    OverwriteInstances: { value: false, why: "a stored instance is never replaced silently by another with the same UIDs" },
    SyncStorageArea: { value: true, why: "a C-STORE is acknowledged only once its file is on disk" },
    "PostgreSQL.EnableSsl": { value: true, why: "the database connection is TLS only" },
    "PostgreSQL.EnableIndex": { value: true, why: "the index lives in PostgreSQL" },
};

/** Keys pacstack derives from other settings or from the platform; the message names where to change them. */
export const MANAGED_ORTHANC_KEYS: Record<string, string> = {
    RegisteredUsers: "credentials live in a Secret (credentials.json); Orthanc refuses a key defined in two files",
    Plugins: "choose plugins with pacstack:orthanc.plugins",
    LuaScripts: "only the forwarding script pacstack renders is loaded: set pacstack:orthanc.forwarding",
    StableAge: "set pacstack:orthanc.stableAgeSeconds",
    OrthancPeers: "set pacstack:orthanc.peers (their passwords come from a Secret)",
    HttpsCACertificates: "set caCertificate on each of pacstack:orthanc.peers",
    Name: "derived from the component's name",
    DicomAet: "set pacstack:orthanc.aeTitle",
    HttpPort: "the Service, the routes and the NetworkPolicies use 8042",
    DicomPort: "the Service, the edge entrypoint and the NetworkPolicies use 4242",
    DicomServerEnabled: "the DICOM-TLS entrypoint needs it",
    SslEnabled: "Traefik speaks plain HTTP to Orthanc inside the pod network (README: Edge to Orthanc)",
    StorageDirectory: "the DICOM files live on the retained volume",
    IndexDirectory: "the DICOM files live on the retained volume",
    MaximumRequestBodySizeMB: "set pacstack:uploadLimitMiB (the edge's limit and Orthanc's are one)",
    MaximumStorageSize: "derived from pacstack:orthanc.storageSize (90 % of the volume)",
    SaveJobs: "derived from pacstack:orthanc.replicas",
    DatabaseServerIdentifier: "derived from pacstack:orthanc.replicas (one per pod)",
    DicomTlsCertificate: "pacstack issues the DICOM certificate",
    DicomTlsPrivateKey: "pacstack issues the DICOM certificate",
    DicomTlsTrustedCertificates: "modalities are trusted by their own certificates (pacstack:modalities)",
    DicomTlsCiphersAccepted: "DICOM TLS follows BCP 195: ECDHE with AES-GCM or ChaCha20-Poly1305 (README: DICOM TLS policy)",
    DicomModalities: "set pacstack:modalities (every right written out)",
    DicomAlwaysAllowEcho: "derived from pacstack:modalities",
    DicomAlwaysAllowStore: "derived from pacstack:modalities",
    DicomAlwaysAllowFind: "derived from pacstack:modalities",
    DicomAlwaysAllowFindWorklist: "derived from pacstack:modalities",
    DicomAlwaysAllowGet: "derived from pacstack:modalities",
    DicomAlwaysAllowMove: "derived from pacstack:modalities",
    "PostgreSQL.Host": "pacstack's PostgreSQL",
    "PostgreSQL.Port": "pacstack's PostgreSQL",
    "PostgreSQL.Database": "pacstack's PostgreSQL",
    "PostgreSQL.Username": "pacstack's PostgreSQL",
    "PostgreSQL.Password": "taken from the database Secret",
    "PostgreSQL.EnableStorage": "the DICOM files live on the retained volume",
    "PostgreSQL.Lock": "derived from pacstack:orthanc.replicas",
    "PostgreSQL.IndexConnectionsCount": "bounded so that every replica fits PostgreSQL's max_connections",
    "DicomWeb.Enable": "the viewer reads Orthanc through DICOMweb",
    "DicomWeb.Root": "the /dicom-web route serves this path",
    "DicomWeb.Host": "set pacstack:domain",
    "DicomWeb.Ssl": "the platform is reached over HTTPS",
};

const RULED_PATHS = [...Object.keys(PINNED_ORTHANC_KEYS), ...Object.keys(MANAGED_ORTHANC_KEYS)];
/** A key under this name holding a string is taken for a secret, which does not belong in a ConfigMap. */
const SECRET_NAME = /(password|passwd|secret|token|apikey|api_key|privatekey|private_key|credential)/i;
/** Keys that would reach an object's prototype instead of the document. */
const PROTOTYPE_KEYS = new Set(["__proto__", "constructor", "prototype"]);
/** orthanc.json lives in a ConfigMap (1 MiB with the rest); the hatch is for a few keys. */
export const MAX_EXTRA_CONFIG_BYTES = 65536;

/**
 * Every problem with an extraConfig document, each naming the key path (as `<where>.A.B`), the value and what is
 * allowed. Empty means it may be merged.
 */
export function extraConfigProblems(extra: Json, where: string): string[] {
    // A value shown in a message hides every string under a secret-looking name, at any depth.
    const show = (value: Json) => JSON.stringify(value, (k, v) => (typeof v === "string" && SECRET_NAME.test(k) ? "[hidden]" : v));
    if (!isObject(extra)) return [`${where} = ${show(extra)}: must be an object of Orthanc configuration keys`];
    const problems: string[] = [];
    const size = Buffer.byteLength(JSON.stringify(extra));
    if (size > MAX_EXTRA_CONFIG_BYTES) {
        return [`${where}: ${size} bytes as JSON; at most ${MAX_EXTRA_CONFIG_BYTES} are allowed (it is stored in the ConfigMap beside pacstack's configuration)`];
    }
    const walk = (value: Json, path: string) => {
        const at = `${where}.${path}`;
        const key = path.slice(path.lastIndexOf(".") + 1);
        if (PROTOTYPE_KEYS.has(key)) {
            problems.push(`${at}: the key ${show(key)} is not allowed`);
            return;
        }
        const pinned = Object.hasOwn(PINNED_ORTHANC_KEYS, path) ? PINNED_ORTHANC_KEYS[path] : undefined;
        if (pinned && JSON.stringify(value) !== JSON.stringify(pinned.value)) {
            problems.push(`${at} = ${show(value)}: only ${show(pinned.value)} is allowed (${pinned.why})`);
            return;
        }
        if (!isObject(value) && RULED_PATHS.some((ruled) => ruled.startsWith(`${path}.`))) {
            problems.push(`${at} = ${show(value)}: must be an object (pacstack's ${path} section is merged key by key, and some of its keys are pacstack's)`);
            return;
        }
        if (Object.hasOwn(MANAGED_ORTHANC_KEYS, path)) {
            problems.push(`${at} = ${show(value)}: pacstack sets this key (${MANAGED_ORTHANC_KEYS[path]})`);
            return;
        }
        if (value === null) {
            problems.push(`${at} = null: give the value itself (Orthanc has no "unset"; leave the key out for pacstack's or Orthanc's default)`);
            return;
        }
        if (typeof value === "string" && SECRET_NAME.test(key)) {
            problems.push(
                `${at} = "[hidden]": looks like a secret, and orthanc.extraConfig is stored in a ConfigMap; secrets are not accepted here (README: Extra Orthanc configuration)`,
            );
            return;
        }
        if (isObject(value)) for (const [child, childValue] of Object.entries(value)) walk(childValue, `${path}.${child}`);
    };
    for (const [key, value] of Object.entries(extra)) walk(value, key);
    return problems;
}

/** `extra` deep-merged into `base` (neither is changed): objects merge key by key, other values replace. */
export function mergeExtraConfig(base: Record<string, Json>, extra: Record<string, Json>): Record<string, Json> {
    const merged: Record<string, Json> = { ...base };
    for (const [key, value] of Object.entries(extra)) {
        const current = merged[key];
        merged[key] = isObject(current) && isObject(value) ? mergeExtraConfig(current, value) : structuredClone(value);
    }
    return merged;
}
