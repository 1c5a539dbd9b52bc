/**
 * Facts about the orthancteam/orthanc image this component relies on, checked in its public sources
 * (github.com/orthanc-server/orthanc-builder, docker/orthanc/Dockerfile at tag 26.6.1):
 * - the server binary is /usr/local/bin/Orthanc and plugins are copied to /usr/share/orthanc/plugins-available/
 *   (`COPY --from=build-plugin-pg ... /build/libOrthancPostgreSQLIndex.so /usr/share/orthanc/plugins-available/`);
 * - the image has no USER directive (it runs as root unless told otherwise) and creates the system user
 *   `orthanc` with uid/gid 999 (`useradd --system --gid=orthanc --uid=999 ...`);
 * - its entrypoint (docker-entrypoint.sh + generateConfiguration.py) writes /etc/hostid, /tmp/orthanc.json and
 *   hard-links plugins into /usr/share/orthanc/plugins at every start, and merges env vars and image defaults
 *   (including `"Password": "postgres"`) into the configuration.
 * pacstack bypasses that entrypoint and starts `Orthanc <folder>` directly: Orthanc reads every *.json file of
 * the folder and refuses a top-level key defined twice (OrthancConfiguration.cpp, AddFileToConfiguration), so
 * the configuration that runs is exactly the rendered one, and the root filesystem can stay read-only.
 */
export const ORTHANC_BINARY = "/usr/local/bin/Orthanc";
export const ORTHANC_PLUGIN_DIR = "/usr/share/orthanc/plugins-available";
export const ORTHANC_UID = 999;
export const ORTHANC_PLUGINS = ["libOrthancPostgreSQLIndex.so", "libOrthancDicomWeb.so"];

/** Where the pod mounts things. */
export const ORTHANC_MOUNTS = {
    /** Projected volume: orthanc.json (ConfigMap) + credentials.json (Secret). */
    config: "/etc/pacstack/orthanc",
    /** kubernetes.io/tls Secret: tls.crt, tls.key, ca.crt. */
    dicomTls: "/etc/pacstack/dicom-tls",
    /** kubernetes.io/tls Secret of Orthanc's HTTPS: tls.crt, tls.key, ca.crt, and tls-bundle.pem (both in one file). */
    httpsTls: "/etc/pacstack/https-tls",
    /** The DICOM files (PersistentVolumeClaim). */
    storage: "/var/lib/orthanc/db",
    /** Orthanc's TemporaryDirectory default. */
    tmp: "/tmp",
} as const;

export const CONFIG_FILE = "orthanc.json";
export const CREDENTIALS_FILE = "credentials.json";
/** Further files of the configuration folder (ConfigMap keys; Orthanc reads only its *.json files as configuration). */
export const FORWARDING_SCRIPT_FILE = "forwarding.lua";
export const PEER_CA_FILE = "peer-cas.pem";
/** The modalities' own certificates, the only ones DICOM TLS trusts (renderModalityTrust; public, so a ConfigMap key). */
export const TRUSTED_MODALITIES_FILE = "trusted-modalities.pem";
