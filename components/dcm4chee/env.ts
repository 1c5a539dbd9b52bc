import { DATABASE, MOUNTS, PORTS, SCRIPT_FILES, SECRET_KEYS } from "./paths";

export interface EnvVar {
    name: string;
    value: string;
}

/** Where the three services find each other, and what the public side looks like. */
export interface Dcm4cheeWiring {
    aeTitle: string;
    /** Public host name (LDAP's ARCHIVE_HOST, the viewer link). */
    publicHost: string;
    /** Viewer URL for a study, with `{{studyUID}}` where the Study Instance UID goes. */
    studyViewerUrl: string;
    ldapHost: string;
    databaseHost: string;
}

const secretFile = (key: string) => `${MOUNTS.secrets}/${key}`;
const serverTlsFile = (file: "tls.crt" | "tls.key" | "ca.crt") => `${MOUNTS.serverTls}/${file}`;

/**
 * The archive's JDBC parameters: TLS, the server's certificate verified against the pacstack CA and its name
 * against the Service's (pgjdbc reads the PEM CA file named by sslrootcert).
 */
export const ARCHIVE_JDBC_PARAMS = `sslmode=verify-full&sslrootcert=${MOUNTS.dicomTls}/ca.crt`;

/** slapd-dcm4chee: the archive's configuration, with pacstack's AE title, storage path and viewer link. */
export function renderLdapEnv(wiring: Dcm4cheeWiring): EnvVar[] {
    return [
        { name: "AE_TITLE", value: wiring.aeTitle },
        { name: "ARCHIVE_HOST", value: wiring.publicHost },
        { name: "DICOM_PORT", value: String(PORTS.dicom) },
        { name: "DICOM_TLS_PORT", value: String(PORTS.dicomTls) },
        { name: "HL7_TLS_PORT", value: String(PORTS.hl7Tls) },
        // The archive UI's study links ("Invoke Image Display") open OHIF on the same host.
        { name: "IID_STUDY_URL", value: wiring.studyViewerUrl },
        { name: "LDAP_CONFIG_SED", value: `${MOUNTS.scripts}/ldif-filter.sh` },
        // LDAPS for the pod network; plain LDAP on loopback only, first, for the image's own import tools.
        { name: "LDAP_TLS_CACERT", value: serverTlsFile("ca.crt") },
        { name: "LDAP_TLS_CERT", value: serverTlsFile("tls.crt") },
        { name: "LDAP_TLS_KEY", value: serverTlsFile("tls.key") },
        { name: "LDAP_TLS_VERIFY", value: "never" },
        { name: "LDAP_URLS", value: `ldap://127.0.0.1:${PORTS.ldapContainer}/ ldaps://:${PORTS.ldapsContainer}/` },
        { name: "STORAGE_DIR", value: `${MOUNTS.storage}/fs1` },
    ];
}

/**
 * postgres-dcm4chee's command: the image's `postgres` with TLS on (pacstack's certificate for the Service's names) and
 * pacstack's pg_hba.conf, which admits TCP sessions only over TLS.
 */
export function renderDatabaseArgs(): string[] {
    return [
        "postgres",
        "-c", "ssl=on",
        "-c", `ssl_cert_file=${serverTlsFile("tls.crt")}`,
        "-c", `ssl_key_file=${serverTlsFile("tls.key")}`,
        "-c", "ssl_min_protocol_version=TLSv1.2",
        "-c", `hba_file=${MOUNTS.scripts}/${SCRIPT_FILES.pgHba}`,
    ];
}

/** postgres-dcm4chee: the database the archive image expects, password from the mounted Secret. */
export function renderDatabaseEnv(): EnvVar[] {
    return [
        { name: "PGDATA", value: MOUNTS.pgData },
        { name: "POSTGRES_DB", value: DATABASE.name },
        { name: "POSTGRES_PASSWORD_FILE", value: secretFile(SECRET_KEYS.database) },
        { name: "POSTGRES_USER", value: DATABASE.user },
    ];
}

/** dcm4chee-arc-psql: LDAP and PostgreSQL wiring, pacstack's DICOM-TLS stores, running behind Traefik. */
export function renderArchiveEnv(wiring: Dcm4cheeWiring): EnvVar[] {
    return [
        // Traefik terminates HTTPS: take the client's scheme and host from X-Forwarded-* for the URLs in answers.
        { name: "HTTP_PROXY_ADDRESS_FORWARDING", value: "true" },
        // Heap sized from the container's memory limit instead of the image's fixed 512 MiB.
        { name: "JBOSS_JAVA_SIZING", value: "-XX:MaxRAMPercentage=50.0 -XX:MetaspaceSize=96M -XX:MaxMetaspaceSize=256m" },
        { name: "KEYSTORE", value: `${MOUNTS.keystores}/key.p12` },
        { name: "KEYSTORE_PASSWORD_FILE", value: secretFile(SECRET_KEYS.keystore) },
        { name: "KEYSTORE_TYPE", value: "PKCS12" },
        // The image skips the check of the LDAP server's name by default; its certificate names the Service.
        { name: "LDAP_DISABLE_HOSTNAME_VERIFICATION", value: "false" },
        { name: "LDAP_ROOTPASS_FILE", value: secretFile(SECRET_KEYS.ldapRoot) },
        { name: "LDAP_URL", value: `ldaps://${wiring.ldapHost}:${PORTS.ldaps}` },
        { name: "POSTGRES_JDBC_PARAMS", value: ARCHIVE_JDBC_PARAMS },
        { name: "POSTGRES_DB", value: DATABASE.name },
        { name: "POSTGRES_HOST", value: wiring.databaseHost },
        { name: "POSTGRES_PASSWORD_FILE", value: secretFile(SECRET_KEYS.database) },
        { name: "POSTGRES_PORT", value: String(PORTS.postgres) },
        { name: "POSTGRES_USER", value: DATABASE.user },
        { name: "TRUSTSTORE", value: `${MOUNTS.keystores}/trust.p12` },
        { name: "TRUSTSTORE_PASSWORD_FILE", value: secretFile(SECRET_KEYS.keystore) },
        { name: "TRUSTSTORE_TYPE", value: "PKCS12" },
        { name: "WILDFLY_WAIT_FOR", value: `${wiring.ldapHost}:${PORTS.ldaps} ${wiring.databaseHost}:${PORTS.postgres}` },
    ];
}
