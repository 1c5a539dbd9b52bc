import { randomBytes } from "node:crypto";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PEM_TO_PKCS12_JAVA } from "../../components/dcm4chee/keystore";
import { requireBinary } from "../harness/real/binaries";
import { renderModalityTrust } from "../../components/certificates/plan";
import { createTestPki, selfSigned, TestPki } from "../harness/real/pki";
import { runOk, runTool } from "../harness/real/tools";

/**
 * The keystore init container's program, run with a real JDK (Debian's OpenJDK here, Corretto in the archive
 * image): pacstack's PEM certificate and key become the PKCS12 stores dcm4chee's DICOM-TLS reads.
 */
describe("dcm4chee: PEM to PKCS12 key and trust stores (real JDK)", function () {
    this.timeout(60_000);
    let work: string;
    let pki: TestPki;
    const password = randomBytes(12).toString("hex");

    before(async function () {
        ["java", "keytool", "openssl"].forEach((tool) => requireBinary(tool));
        work = mkdtempSync(join(tmpdir(), "pacstack-keystore-"));
        pki = await createTestPki(join(work, "pki"));
        writeFileSync(join(work, "PemToPkcs12.java"), PEM_TO_PKCS12_JAVA);
        writeFileSync(join(work, "password"), `${password}\n`);
    });

    after(() => work && rmSync(work, { recursive: true, force: true }));

    const convert = (key: string) =>
        runTool(requireBinary("java"), [join(work, "PemToPkcs12.java"), pki.server.cert, key, pki.ca.cert, join(work, "password"), join(work, "key.p12"), join(work, "trust.p12")], {
            timeoutMs: 30_000,
        });
    const modulus = async (args: string[]) => (await runOk(requireBinary("openssl"), args)).stdout.trim();

    for (const format of ["PKCS#1", "PKCS#8"] as const) {
        it(`stores the ${format} key with the certificate chain, and the CA as the only trusted certificate`, async function () {
            let key = pki.server.key;
            if (format === "PKCS#1") {
                // @pulumi/tls writes RSA keys as "BEGIN RSA PRIVATE KEY".
                key = join(work, "server-pkcs1.key");
                await runOk(requireBinary("openssl"), ["rsa", "-traditional", "-in", pki.server.key, "-out", key]);
            }
            const result = await convert(key);
            assert.equal(result.code, 0, result.output);
            const keys = await runOk(requireBinary("keytool"), ["-list", "-v", "-keystore", join(work, "key.p12"), "-storetype", "PKCS12", "-storepass", password]);
            assert.match(keys.stdout, /Alias name: dicom-tls[\s\S]*Entry type: PrivateKeyEntry[\s\S]*Certificate chain length: 2/);
            const trust = await runOk(requireBinary("keytool"), ["-list", "-keystore", join(work, "trust.p12"), "-storetype", "PKCS12", "-storepass", password]);
            assert.match(trust.stdout, /Your keystore contains 1 entry[\s\S]*pacstack-ca, .*trustedCertEntry/);
            // The stored key is the certificate's key.
            const pem = join(work, "from-p12.pem");
            await runOk(requireBinary("openssl"), ["pkcs12", "-in", join(work, "key.p12"), "-nodes", "-nocerts", "-passin", `pass:${password}`, "-out", pem]);
            assert.equal(await modulus(["rsa", "-in", pem, "-noout", "-modulus"]), await modulus(["x509", "-in", pki.server.cert, "-noout", "-modulus"]));
        });
    }

    it("adds every modality's own certificate (the trust file) to the trust store besides the CA", async function () {
        const [a, b] = await Promise.all([selfSigned(pki, "modality-a", "modality-a", "client"), selfSigned(pki, "modality-b", "modality-b", "client")]);
        const trustFile = join(work, "trusted-modalities.pem");
        writeFileSync(trustFile, renderModalityTrust({ "modality-a": a.certPem, "modality-b": b.certPem }, pki.server.certPem));
        const args = [join(work, "PemToPkcs12.java"), pki.server.cert, pki.server.key, pki.ca.cert, join(work, "password"), join(work, "key.p12"), join(work, "trust.p12"), trustFile];
        const result = await runTool(requireBinary("java"), args, { timeoutMs: 30_000 });
        assert.equal(result.code, 0, result.output);
        const trust = await runOk(requireBinary("keytool"), ["-list", "-v", "-keystore", join(work, "trust.p12"), "-storetype", "PKCS12", "-storepass", password]);
        assert.match(trust.stdout, /Your keystore contains 3 entries/);
        const owners = [...trust.stdout.matchAll(/^Owner: CN=([^,\n]+)/gm)].map((m) => m[1]).sort();
        assert.deepEqual(owners, ["modality-a", "modality-b", "pacstack test CA"]);
    });

    it("refuses a key that is not RSA PEM", async function () {
        const bogus = join(work, "bogus.key");
        writeFileSync(bogus, "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
        const result = await convert(bogus);
        assert.notEqual(result.code, 0);
        assert.match(result.output, /expected an RSA private key/);
    });
});
