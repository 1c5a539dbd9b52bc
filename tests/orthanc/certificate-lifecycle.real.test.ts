import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import { renderModalityTrust } from "../../components/certificates/plan";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { TRUSTED_MODALITIES_FILE } from "../../components/orthanc/paths";
import { echo, freshCtSample, store } from "../harness/real/dicom";
import { ORTHANC_TIER_IDS, giveToTierUser } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { KeyPair, createTestPki, issue, opensslConfig, selfSigned } from "../harness/real/pki";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { updateProjectedVolume } from "../harness/real/projected";

/** The serial number of the certificate a TLS server presents (the client shows `pair` and trusts `caFile`). */
function servedSerial(port: number, pair: KeyPair, caFile: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const socket = connect({ host: "127.0.0.1", port, cert: pair.certPem, key: pair.keyPem, ca: readFileSync(caFile), checkServerIdentity: () => undefined });
        socket.once("secureConnect", () => {
            const serial = socket.getPeerCertificate().serialNumber;
            socket.end();
            resolve(serial);
        });
        socket.once("error", reject);
        socket.setTimeout(15_000, () => socket.destroy(new Error("handshake timed out")));
    });
}

/** The current files of a projected folder (kubelet layout), as a map. */
function projectedFiles(dir: string): Record<string, string> {
    return Object.fromEntries(readdirSync(dir).filter((f) => !f.startsWith("..")).map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/**
 * Certificate lifecycle on the real Orthanc with dcmtk: DICOM TLS trusts each modality's own (self-signed)
 * certificate, as Certificates issues them and renderModalityTrust lists them, so re-rendering the file without a
 * modality refuses its certificate while the CA still signs everything else; a renewed server certificate is
 * served after the restart that the checksum annotation causes in the cluster.
 */
for (const tierId of ORTHANC_TIER_IDS)
    describe(`certificate lifecycle on real Orthanc with dcmtk (${tierId})`, function () {
        this.timeout(180_000);
        let stack: OrthancStack | undefined;
        let a: KeyPair;
        let b: KeyPair;
        const production = renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
        const running = (): OrthancStack => {
            assert.ok(stack, "Orthanc did not start (see before hook)");
            return stack;
        };
        const as = (pair: KeyPair) => ({ ...running().association(), tls: { mode: "client" as const, cert: pair.cert, key: pair.key, ca: running().pki.ca.cert } });

        before(async function () {
            this.timeout(15 * 60_000); // the sid tier's folder is built on first use
            const pki = await createTestPki(mkdtempSync(join(tmpdir(), `pacstack-cert-lifecycle-${tierId}-`)));
            [a, b] = await Promise.all([selfSigned(pki, "modality-a", "modality-a", "client"), selfSigned(pki, "modality-b", "modality-b", "client")]);
            const trust = renderModalityTrust({ "modality-a": a.certPem, "modality-b": b.certPem }, pki.server.certPem);
            stack = await startOrthancStack({ tierId, production, name: `cert-lifecycle-${tierId}`, pki, configFiles: { [TRUSTED_MODALITIES_FILE]: trust } });
        });
        after(async () => stack?.stop());

        it("(a) both configured modalities are served with their own certificates; a certificate the CA signed is not", async function () {
            const sample = await freshCtSample(running().work, "a.dcm");
            for (const [name, pair] of [["A", a], ["B", b]] as const) {
                const result = await echo(as(pair));
                assert.equal(result.code, 0, `${name}: ${result.output}`);
            }
            const stored = await store(as(a), [sample.file]);
            assert.equal(stored.code, 0, stored.output);
            // The test PKI's client certificate chains to the same CA that signed Orthanc's: trust is per certificate.
            const byCa = await echo(running().association());
            assert.notEqual(byCa.code, 0, byCa.output);
        });

        it("(b) after the configuration is rendered without B and the server certificate renewed, Orthanc restarts: B is refused, A served with the renewed certificate", async function () {
            const s = running();
            const before = await servedSerial(s.orthanc.dicomPort, a, s.pki.ca.cert);
            assert.equal(before.toLowerCase(), new X509Certificate(s.pki.server.certPem).serialNumber.toLowerCase());
            const renewed = await issue(s.pki.dir, "server-renewed", "localhost", "server", s.pki.ca, opensslConfig(s.pki));
            await s.orthanc.stop();
            // What the cluster does: the ConfigMap and the TLS Secret change, the checksums roll the pod.
            const trust = renderModalityTrust({ "modality-a": a.certPem }, s.pki.server.certPem);
            updateProjectedVolume(s.orthanc.configDir, { ...projectedFiles(s.orthanc.configDir), [TRUSTED_MODALITIES_FILE]: trust });
            const dicomTlsDir = join(s.orthanc.caFile, "..");
            updateProjectedVolume(dicomTlsDir, { "tls.crt": renewed.certPem, "tls.key": renewed.keyPem, "ca.crt": s.pki.ca.certPem });
            giveToTierUser(s.tier, join(s.orthanc.configDir, "..", "..", ".."));
            await s.orthanc.start();

            const fromA = await echo(as(a));
            assert.equal(fromA.code, 0, fromA.output);
            const fromB = await echo(as(b));
            assert.notEqual(fromB.code, 0, `the removed modality's certificate was accepted: ${fromB.output}`);
            const stats = JSON.parse((await s.orthanc.request("/statistics")).body.toString());
            assert.equal(stats.CountInstances, 1, "the study stored before the roll is still there");
            const after = await servedSerial(s.orthanc.dicomPort, a, s.pki.ca.cert);
            assert.equal(after.toLowerCase(), new X509Certificate(renewed.certPem).serialNumber.toLowerCase());
            assert.notEqual(after, before);
        });
    });
