import { MOUNTS, PORTS, SCRIPT_FILES, SECRET_KEYS } from "./paths";

/**
 * Cipher suites of the archive's DICOM-TLS connection. The image's default configuration offers
 * TLS_RSA_WITH_AES_128_CBC_SHA and SSL_RSA_WITH_3DES_EDE_CBC_SHA only (no forward secrecy, 3DES); these are the
 * BCP 195 suites of DICOM PS3.15 that dcmtk and Orthanc use.
 */
export const DICOM_TLS_CIPHER_SUITES = ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"];

/**
 * The LDIF filter (LDAP_CONFIG_SED) applied to the default configuration on the first start: the image's own
 * `sed-config` (AE titles, ports, host, storage path), then the cipher suites of the DICOM-TLS connection.
 */
export function renderLdifFilter(): string {
    const [first, second] = DICOM_TLS_CIPHER_SUITES;
    return [
        "# Sourced by /etc/openldap/configure.sh as LDAP_CONFIG_SED: filters each LDIF file of the default configuration.",
        "sed-config | sed \\",
        `    -e "s%^dicomTLSCipherSuite: TLS_RSA_WITH_AES_128_CBC_SHA$%dicomTLSCipherSuite: ${first}%" \\`,
        `    -e "s%^dicomTLSCipherSuite: SSL_RSA_WITH_3DES_EDE_CBC_SHA$%dicomTLSCipherSuite: ${second}%"`,
        "",
    ].join("\n");
}

/**
 * slapd as uid 1021: the image entrypoint's steps without the root-only ones (user re-creation, ldap.conf, the
 * privilege drop of `slapd -u -g`). Passwords come from the mounted Secret, the first start initialises
 * cn=config and the archive's configuration exactly as the image does.
 */
export function renderLdapStartScript(): string {
    return [
        "#!/bin/sh",
        "set -eu",
        `LDAP_ROOTPASS="$(cat ${MOUNTS.secrets}/${SECRET_KEYS.ldapRoot})"`,
        `LDAP_CONFIGPASS="$(cat ${MOUNTS.secrets}/${SECRET_KEYS.ldapConfig})"`,
        "export LDAP_ROOTPASS LDAP_CONFIGPASS",
        // slapadd.sh writes the LDAP_TLS_* files into cn=config on the first start; the image's update-tls sets them
        // on every later one too, so a configuration kept from before pacstack served LDAPS gets them.
        `if [ ! -f ${MOUNTS.ldapConfig}/cn=config.ldif ]; then`,
        "    /slapadd.sh",
        '    ( sleep 2; for CMD in $LDAP_INIT_CMDS; do $CMD; done ) &',
        "else",
        "    ( sleep 2; update-tls ) &",
        "fi",
        // As the image's entrypoint does: slapd sizes its descriptor table by the limit.
        "ulimit -n 1024",
        'exec slapd -d "$LDAP_DEBUG" -h "$LDAP_URLS"',
        "",
    ].join("\n");
}

/**
 * Wildfly as uid 1023: /docker-entrypoint.sh of dcm4che/wildfly without chown, the JDK cacerts import and
 * chroot (the key and trust stores come from pacstack's CA instead). Configuration and deployments are refreshed
 * from the image on each start, exactly as upstream does.
 */
export function renderArchiveStartScript(): string {
    return [
        "#!/bin/bash",
        "set -e",
        "cd /",
        ". /setenv.sh",
        'for f in $JBOSS_HOME/standalone/deployments/*.{ear,war}; do',
        '    if [ -f $f -a ! -f /docker-entrypoint.d/deployments/$(basename $f) ]; then rm -fv ${f} ${f}.deployed; fi',
        "done",
        'if [ -n "$WILDFLY_CONFIGURATION_VERSION" ] && { [ ! -f $JBOSS_HOME/standalone/configuration/VERSION ] || ! grep -q "$WILDFLY_CONFIGURATION_VERSION" $JBOSS_HOME/standalone/configuration/VERSION; }; then',
        "    mkdir -p $JBOSS_HOME/standalone/configuration",
        "    cp -bpv /docker-entrypoint.d/configuration/*.xml $JBOSS_HOME/standalone/configuration",
        '    cat <<<"$WILDFLY_CONFIGURATION_VERSION" > $JBOSS_HOME/standalone/configuration/VERSION',
        "fi",
        "for d in $WILDFLY_STANDALONE; do",
        '    if [ "$d" = "deployments" ] && [ -n "$WILDFLY_DEPLOYMENTS" ]; then',
        "        mkdir -p $JBOSS_HOME/standalone/deployments",
        "        for f in $WILDFLY_DEPLOYMENTS; do cp -upv /docker-entrypoint.d/deployments/$f $JBOSS_HOME/standalone/deployments; done",
        "    else",
        "        cp -rupv /docker-entrypoint.d/$d $JBOSS_HOME/standalone",
        "    fi",
        "done",
        "for c in $WILDFLY_WAIT_FOR; do",
        '    echo "Waiting for $c ..."',
        "    while ! nc -w 1 -z ${c/:/ }; do sleep 1; done",
        "done",
        // The JVM's default TLS trust (LDAPS to the configuration) is the pacstack CA only: the store the init container
        // made from it, in place of the JDK's cacerts that the image would extend as root. (JDBC names its CA itself.)
        'TRUST="-Djavax.net.ssl.trustStore=$TRUSTSTORE -Djavax.net.ssl.trustStoreType=$TRUSTSTORE_TYPE -Djavax.net.ssl.trustStorePassword=$TRUSTSTORE_PASSWORD"',
        // The management interface stays on loopback: nothing outside the pod needs it.
        'exec standalone.sh -b 0.0.0.0 -bmanagement 127.0.0.1 $SYS_PROPS $TRUST',
        "",
    ].join("\n");
}

/** Arguments of the keystore init container: PEM inputs, password file, PKCS12 outputs. */
export function keystoreCommand(): string[] {
    return [
        "java",
        `${MOUNTS.scripts}/${SCRIPT_FILES.keystore}`,
        `${MOUNTS.dicomTls}/tls.crt`,
        `${MOUNTS.dicomTls}/tls.key`,
        `${MOUNTS.dicomTls}/ca.crt`,
        `${MOUNTS.secrets}/${SECRET_KEYS.keystore}`,
        `${MOUNTS.keystores}/key.p12`,
        `${MOUNTS.keystores}/trust.p12`,
        `${MOUNTS.scripts}/${SCRIPT_FILES.trustedModalities}`,
    ];
}

/**
 * LDAP readiness: over LDAPS, with the certificate checked against the pacstack CA (its names include localhost),
 * the archive device's entry exists, i.e. TLS is served and the first-start import has finished.
 */
export function ldapReadyCommand(baseDn: string, deviceName: string): string[] {
    return [
        "env", `LDAPTLS_CACERT=${MOUNTS.serverTls}/ca.crt`, "LDAPTLS_REQCERT=demand",
        "ldapsearch", "-x", "-LLL", "-H", `ldaps://localhost:${PORTS.ldapsContainer}`,
        "-b", `dicomDeviceName=${deviceName},cn=Devices,cn=DICOM Configuration,${baseDn}`, "-s", "base", "dn",
    ];
}

/**
 * dcm4chee's database admits TCP sessions only over TLS with a password; the pod's own socket stays as the image
 * sets it up (trust), for its first-start initialisation.
 */
export function renderDatabaseHba(): string {
    return [
        "# pacstack: TLS with a password over TCP; the pod-local socket for the image's initialisation",
        "local all all trust",
        "hostssl all all all scram-sha-256",
        "",
    ].join("\n");
}
