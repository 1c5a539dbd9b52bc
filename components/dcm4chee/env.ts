import { DATABASE, MOUNTS, PORTS, SECRET_KEYS } from "./paths";

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

/** slapd-dcm4chee: the archive's configuration, with pacstack's AE title, storage path and viewer link. */
export function renderLdapEnv(wiring: Dcm4cheeWiring): EnvVar[] {
    return [
        { name: "AE_TITLE", value: wiring.aeTitle },
        { name: "ARCHIVE_HOST", value: wiring.publicHost },
        { name: "DICOM_PORT", value: String(PORTS.dicom) },
        { name: "DICOM_TLS_PORT", value: String(PORTS.dicomTls) },
        // The archive UI's study links ("Invoke Image Display") open OHIF on the same host.
        { name: "IID_STUDY_URL", value: wiring.studyViewerUrl },
        { name: "LDAP_CONFIG_SED", value: `${MOUNTS.scripts}/ldif-filter.sh` },
        { name: "LDAP_URLS", value: `ldap://:${PORTS.ldapContainer}/` },
        { name: "STORAGE_DIR", value: `${MOUNTS.storage}/fs1` },
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
        { name: "LDAP_ROOTPASS_FILE", value: secretFile(SECRET_KEYS.ldapRoot) },
        { name: "LDAP_URL", value: `ldap://${wiring.ldapHost}:${PORTS.ldap}` },
        { name: "POSTGRES_DB", value: DATABASE.name },
        { name: "POSTGRES_HOST", value: wiring.databaseHost },
        { name: "POSTGRES_PASSWORD_FILE", value: secretFile(SECRET_KEYS.database) },
        { name: "POSTGRES_PORT", value: String(PORTS.postgres) },
        { name: "POSTGRES_USER", value: DATABASE.user },
        { name: "TRUSTSTORE", value: `${MOUNTS.keystores}/trust.p12` },
        { name: "TRUSTSTORE_PASSWORD_FILE", value: secretFile(SECRET_KEYS.keystore) },
        { name: "TRUSTSTORE_TYPE", value: "PKCS12" },
        { name: "WILDFLY_WAIT_FOR", value: `${wiring.ldapHost}:${PORTS.ldap} ${wiring.databaseHost}:${PORTS.postgres}` },
    ];
}
