import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DICOM_TLS_CIPHER_SUITES, keystoreCommand, ldapReadyCommand, renderArchiveStartScript, renderLdapStartScript, renderLdifFilter } from "../../components/dcm4chee/scripts";
import { requireBinary } from "../harness/real/binaries";
import { runOk, runTool } from "../harness/real/tools";

describe("dcm4chee: start scripts and LDIF filter", () => {
    let work: string;
    before(() => (work = mkdtempSync(join(tmpdir(), "pacstack-dcm4chee-scripts-"))));
    after(() => rmSync(work, { recursive: true, force: true }));

    it("parse as the shells that run them (sh for slapd's alpine, bash for Wildfly)", async () => {
        for (const [shell, script] of [["sh", renderLdapStartScript()], ["sh", renderLdifFilter()], ["bash", renderArchiveStartScript()]] as const) {
            const file = join(work, `check-${shell}.sh`);
            writeFileSync(file, script);
            const result = await runTool(requireBinary(shell), ["-n", file]);
            assert.equal(result.code, 0, `${shell} -n: ${result.output}`);
        }
    });

    it("slapd: reads the passwords from the mounted Secret, initialises on first start and listens unprivileged", () => {
        const script = renderLdapStartScript();
        assert.match(script, /LDAP_ROOTPASS="\$\(cat \/run\/secrets\/pacstack\/ldap-root-password\)"/);
        assert.match(script, /LDAP_CONFIGPASS="\$\(cat \/run\/secrets\/pacstack\/ldap-config-password\)"/);
        // First start: cn=config (with the LDAP_TLS_* files) and the import; later starts: the TLS files set again.
        assert.match(script, /if \[ ! -f \/etc\/openldap\/slapd.d\/cn=config.ldif \]; then\n    \/slapadd.sh\n    \( sleep 2; for CMD in \$LDAP_INIT_CMDS; do \$CMD; done \) &\nelse\n    \( sleep 2; update-tls \) &\nfi/);
        assert.match(script, /ulimit -n 1024\nexec slapd -d "\$LDAP_DEBUG" -h "\$LDAP_URLS"\n$/);
        assert.doesNotMatch(script, /-u ldap|adduser|deluser|chown/, "no root-only step");
    });

    it("Wildfly: keeps the entrypoint's configuration and deployment refresh, drops chown, cacerts and chroot", () => {
        const script = renderArchiveStartScript();
        assert.match(script, /^#!\/bin\/bash\nset -e\ncd \/\n\. \/setenv.sh\n/);
        assert.match(script, /cp -bpv \/docker-entrypoint.d\/configuration\/\*\.xml \$JBOSS_HOME\/standalone\/configuration/);
        assert.match(script, /cp -upv \/docker-entrypoint.d\/deployments\/\$f \$JBOSS_HOME\/standalone\/deployments/);
        assert.match(script, /while ! nc -w 1 -z \$\{c\/:\/ \}; do sleep 1; done/);
        // The JVM's default trust (LDAPS) is the store made from the pacstack CA, not the JDK's cacerts.
        assert.match(script, /\nTRUST="-Djavax\.net\.ssl\.trustStore=\$TRUSTSTORE -Djavax\.net\.ssl\.trustStoreType=\$TRUSTSTORE_TYPE -Djavax\.net\.ssl\.trustStorePassword=\$TRUSTSTORE_PASSWORD"\n/);
        assert.match(script, /exec standalone.sh -b 0.0.0.0 -bmanagement 127.0.0.1 \$SYS_PROPS \$TRUST\n$/);
        assert.doesNotMatch(script, /chown|chroot|keytool|cacerts/);
    });

    it("the LDIF filter runs the image's sed-config, then replaces the DICOM-TLS cipher suites", async () => {
        // sed-config stands in as `cat` (the image's own filter, tested upstream); the input is the image's LDIF text.
        const bin = join(work, "bin");
        await runOk("mkdir", ["-p", bin]);
        writeFileSync(join(bin, "sed-config"), "#!/bin/sh\ncat\n");
        chmodSync(join(bin, "sed-config"), 0o755);
        const filter = join(work, "ldif-filter.sh");
        writeFileSync(filter, renderLdifFilter());
        // The DICOM-TLS and the HL7-TLS connections of the image's dcm4chee-arc.ldif carry the same two suites.
        const connection = (cn: string, port: number, suites: string[]) => `cn: ${cn}\n${suites.map((s) => `dicomTLSCipherSuite: ${s}\n`).join("")}dicomPort: ${port}\n`;
        const imageSuites = ["TLS_RSA_WITH_AES_128_CBC_SHA", "SSL_RSA_WITH_3DES_EDE_CBC_SHA"];
        const ldif = connection("dicom-tls", 2762, imageSuites) + connection("hl7-tls", 12575, imageSuites);
        writeFileSync(join(work, "in.ldif"), ldif);
        const result = await runOk(requireBinary("sh"), ["-c", `. ${filter} < ${join(work, "in.ldif")}`], { env: { PATH: `${bin}:${process.env.PATH}` } });
        assert.equal(result.stdout, connection("dicom-tls", 2762, DICOM_TLS_CIPHER_SUITES) + connection("hl7-tls", 12575, DICOM_TLS_CIPHER_SUITES));
    });

    it("the keystore converter and the LDAP readiness check name the mounted files and the archive device", () => {
        assert.deepEqual(keystoreCommand(), [
            "java",
            "/etc/pacstack/dcm4chee/PemToPkcs12.java",
            "/etc/pacstack/dicom-tls/tls.crt",
            "/etc/pacstack/dicom-tls/tls.key",
            "/etc/pacstack/dicom-tls/ca.crt",
            "/run/secrets/pacstack/keystore-password",
            "/var/run/pacstack/keystores/key.p12",
            "/var/run/pacstack/keystores/trust.p12",
            "/etc/pacstack/dcm4chee/trusted-modalities.pem",
        ]);
        assert.deepEqual(ldapReadyCommand("dc=dcm4che,dc=org", "dcm4chee-arc").slice(0, 3), ["env", "LDAPTLS_CACERT=/etc/pacstack/server-tls/ca.crt", "LDAPTLS_REQCERT=demand"]);
        assert.deepEqual(ldapReadyCommand("dc=dcm4che,dc=org", "dcm4chee-arc").slice(-5), [
            "-b",
            "dicomDeviceName=dcm4chee-arc,cn=Devices,cn=DICOM Configuration,dc=dcm4che,dc=org",
            "-s",
            "base",
            "dn",
        ]);
    });
});
