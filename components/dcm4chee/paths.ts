import { serviceHostNames } from "../certificates/plan";

/**
 * Facts about the dcm4che images this component relies on, checked in their public sources
 * (github.com/dcm4che-dockerfiles: dcm4chee-arc-psql 5.34.3, wildfly 38.0.1, slapd-dcm4chee 2.6.10-34.3,
 * slapd 2.6.10, postgres-dcm4chee 17.4-34):
 *
 * dcm4che/slapd-dcm4chee (alpine): its entrypoint runs as root: it re-creates the `ldap` user with uid 1021,
 * appends to /etc/openldap/ldap.conf and starts `slapd -u ldap -g ldap` on port 389. On the first start it runs
 * /slapadd.sh (cn=config into /etc/openldap/slapd.d, database in /var/lib/openldap/openldap-data) and then, in the
 * background, LDAP_INIT_CMDS (/etc/openldap/configure.sh), which imports the archive's schema and default
 * configuration with ldapadd over LDAP_URLS, copying /etc/openldap/data/vendor-data-orig.zip to vendor-data.zip
 * first. Environment: LDAP_ROOTPASS(_FILE), LDAP_CONFIGPASS(_FILE), AE_TITLE, ARCHIVE_HOST, STORAGE_DIR,
 * DICOM_PORT, DICOM_TLS_PORT, IID_STUDY_URL, LDAP_CONFIG_SED (a script sourced as a filter over every imported
 * LDIF; default `sed-config`).
 *
 * dcm4che/postgres-dcm4chee: the official postgres image plus /docker-entrypoint-initdb.d scripts that create the
 * archive's schema; 35_set-collapse-limit.sh edits /var/lib/postgresql/data/postgresql.conf, so PGDATA must stay
 * /var/lib/postgresql/data. The official entrypoint runs as any uid that owns PGDATA (postgres is 999).
 *
 * dcm4che/dcm4chee-arc-psql (Wildfly on amazoncorretto, user wildfly uid 1023): its entrypoint
 * (/docker-entrypoint.sh of dcm4che/wildfly) sources /setenv.sh (reads the *_FILE secrets, builds SYS_PROPS and
 * WILDFLY_DEPLOYMENTS), chowns /opt/wildfly/standalone, copies configuration and deployments from
 * /docker-entrypoint.d, imports EXTRA_CACERTS into the JDK's cacerts, waits for WILDFLY_WAIT_FOR and starts
 * `chroot --userspec=wildfly:wildfly / standalone.sh`. HTTP 8080, DICOM 11112, DICOM-TLS 2762, HL7 2575. Its DICOM
 * TLS key and trust stores are named by KEYSTORE/TRUSTSTORE (PKCS12 or JKS) through the LDAP configuration.
 *
 * The root-only steps (user re-creation, chown, chroot, writing into the JDK and /etc) are why pacstack starts
 * slapd and Wildfly with its own scripts (scripts.ts), which keep every other step of the entrypoints, as uid
 * 1021 and 1023 on read-only root filesystems.
 */
export const DCM4CHEE_APP = { archive: "dcm4chee-arc", ldap: "dcm4chee-ldap", database: "dcm4chee-db" } as const;

/** The Services (and StatefulSets) of a dcm4chee component named `name`. */
export function dcm4cheeServiceNames(name: string) {
    return { archive: name, ldap: `${name}-ldap`, database: `${name}-db` };
}

/** Ids of the server certificates dcm4chee's LDAP and database present (CertificatesArgs.services). */
export const DCM4CHEE_CERTIFICATES = { ldap: "dcm4chee-ldap", database: "dcm4chee-db" } as const;

/** The Platform's dcm4chee component. */
export const dcm4cheeComponentName = (platform: string) => `${platform}-dcm4chee`;

/**
 * The server certificates dcm4chee's LDAP and database need: their Services' names (LDAP's also localhost, for its
 * readiness probe inside the pod).
 */
export function dcm4cheeCertificateHosts(component: string, namespace: string): { id: string; hosts: string[] }[] {
    const names = dcm4cheeServiceNames(component);
    return [
        { id: DCM4CHEE_CERTIFICATES.ldap, hosts: [...serviceHostNames(names.ldap, namespace), "localhost"] },
        { id: DCM4CHEE_CERTIFICATES.database, hosts: serviceHostNames(names.database, namespace) },
    ];
}

export const UIDS = { archive: 1023, ldap: 1021, database: 999 } as const;

export const PORTS = {
    /** Plain HTTP: the kubelet's probes only, inside the pod. */
    http: 8080,
    /** Wildfly's HTTPS listener, presenting the KEYSTORE certificate (the DICOM one): the edge's way in. */
    https: 8443,
    dicom: 11112,
    dicomTls: 2762,
    /** The archive's HL7 receiver over TLS (MLLP in TLS, connection cn=hl7-tls; the plain one, 2575, is not exposed). */
    hl7Tls: 12575,
    /** slapd listens here as a non-root user, plain LDAP on the pod's loopback only (its own tools and probes). */
    ldapContainer: 1389,
    /** slapd's LDAPS listener; the Service publishes it on LDAPS's port 636, and the archive connects only there. */
    ldapsContainer: 1636,
    ldaps: 636,
    postgres: 5432,
} as const;

/** The archive's database, as the postgres-dcm4chee image and the archive image expect by default. */
export const DATABASE = { name: "pacsdb", user: "pacs" } as const;

export const ARCHIVE_WEBAPP = "/dcm4chee-arc";

/** DICOMweb, WADO-URI and UI paths of an archive AE (the UI only works at its native path). */
export function archivePaths(aeTitle: string) {
    return {
        dicomWeb: `${ARCHIVE_WEBAPP}/aets/${aeTitle}/rs`,
        wadoUri: `${ARCHIVE_WEBAPP}/aets/${aeTitle}/wado`,
        ui: `${ARCHIVE_WEBAPP}/ui2/`,
    };
}

export const MOUNTS = {
    /** ConfigMap: start scripts, LDIF filter, keystore converter. */
    scripts: "/etc/pacstack/dcm4chee",
    /** Secret: generated passwords, one file each. */
    secrets: "/run/secrets/pacstack",
    /** kubernetes.io/tls Secret of the DICOM-TLS endpoint (tls.crt, tls.key, ca.crt). */
    dicomTls: "/etc/pacstack/dicom-tls",
    /** kubernetes.io/tls Secret of a server inside the component (LDAP's, the database's): tls.crt, tls.key, ca.crt. */
    serverTls: "/etc/pacstack/server-tls",
    /** emptyDir: PKCS12 key and trust stores made from dicomTls. */
    keystores: "/var/run/pacstack/keystores",
    /** Init containers see the claim here to create the sub-directories the main containers mount. */
    volume: "/pacstack/volume",
    tmp: "/tmp",
    // slapd
    ldapData: "/var/lib/openldap/openldap-data",
    ldapConfig: "/etc/openldap/slapd.d",
    ldapRun: "/run/openldap",
    /** Holds the LDIF files and the vendor data zip that configure.sh writes next to them (copied from the image). */
    ldapImportData: "/etc/openldap/data",
    // postgres
    pgData: "/var/lib/postgresql/data",
    pgRun: "/var/run/postgresql",
    // archive
    wildflyStandalone: "/opt/wildfly/standalone",
    storage: "/storage",
} as const;

export const SECRET_KEYS = {
    ldapRoot: "ldap-root-password",
    ldapConfig: "ldap-config-password",
    database: "database-password",
    keystore: "keystore-password",
} as const;

export const SCRIPT_FILES = {
    ldap: "start-ldap.sh",
    ldifFilter: "ldif-filter.sh",
    archive: "start-archive.sh",
    keystore: "PemToPkcs12.java",
    pgHba: "pg_hba.conf",
    /** The modalities' own certificates (renderModalityTrust), added to the trust store. */
    trustedModalities: "trusted-modalities.pem",
} as const;

/** Sub-directories of each claim and where they are mounted. */
export const CLAIM_DIRS = {
    ldap: { "openldap-data": MOUNTS.ldapData, "slapd.d": MOUNTS.ldapConfig },
    database: { pgdata: MOUNTS.pgData },
    archive: { wildfly: MOUNTS.wildflyStandalone, storage: MOUNTS.storage },
} as const;

/** Size of the configuration directory's claim (LDAP data is a few MiB). */
export const LDAP_STORAGE_SIZE = "1Gi";
