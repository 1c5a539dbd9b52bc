import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DICOM_TLS_CIPHERS, DICOM_TLS_MINIMUM_PROTOCOL_VERSION } from "../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { echo } from "../harness/real/dicom";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { startTlsTunnel } from "../harness/real/qr";
import { tlsHandshake } from "../harness/real/tls-probe";

/**
 * DICOM TLS at BCP 195 (RFC 9325) on the real Orthanc: what each protocol version and suite gets. The image's
 * 1.12.11 applies pacstack's DicomTlsMinimumProtocolVersion and DicomTlsCiphersAccepted; the sid tier (1.13.0) is
 * the proof. Debian 12's 1.10.1 predates both keys (1.12.4): its configuration runs without them
 * (orthanc-tiers.ts keysNewerThan) and this test records what it accepts with DCMTK's own BCP 195 profile.
 * The raw handshakes (openssl s_client) run last: a session that opens and sends nothing would hold the listener.
 */
const KNOWN = {
    // 1.10.1 (without the keys) sets DCMTK 3.6.7's "BCP 195" profile, which falls back to TLS 1.0 and 1.1 with
    // TLS_RSA_WITH_AES_128_CBC_SHA for old peers, offers no ChaCha20 and no ECDHE-CBC suite: a Debian 12 Orthanc is
    // below BCP 195 (RFC 9325 forbids TLS 1.0 and 1.1), which the image's 1.12.11 with pacstack's keys is not.
    debian12: { tls1: true, tls1_1: true, cbcSuite: false, chacha20: false },
    sid: { tls1: false, tls1_1: false, cbcSuite: false, chacha20: true },
};
/** openssl s_client's output when the server ended the handshake with an alert (a refusal, not a client error). */
const SERVER_ALERT = /SSL alert number \d+/;

for (const tierId of ORTHANC_TIER_IDS)
    describe(`DICOM TLS protocol versions and suites on real Orthanc (${tierId})`, function () {
        this.timeout(120_000);
        let stack: OrthancStack | undefined;
        const production = renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
        const running = (): OrthancStack => {
            assert.ok(stack, "Orthanc did not start (see before hook)");
            return stack;
        };
        const client = () => ({ cert: running().pki.client.cert, key: running().pki.client.key, ca: running().pki.ca.cert });

        before(async function () {
            this.timeout(15 * 60_000); // the sid tier's folder is built on first use
            stack = await startOrthancStack({ tierId, production, name: `dicom-tls-${tierId}` });
        });
        after(async () => stack?.stop());

        /** A real C-ECHO with the client certificate through stunnel offering only `version` (and `ciphers`). */
        const echoThrough = async (name: string, version: string, ciphers?: string) => {
            const tunnel = await startTlsTunnel({ targetPort: running().orthanc.dicomPort, ...client(), dir: join(running().work, name), logName: `dicom-tls-${tierId}-${name}`, version, ciphers });
            try {
                const result = await echo({ port: tunnel.port, calledAe: String(production.DicomAet), tls: { mode: "none" } });
                const negotiated = /(TLSv[\d.]+) ciphersuite: (\S+)/.exec(readFileSync(tunnel.process.log, "utf8"));
                return { result, protocol: negotiated?.[1], cipher: negotiated?.[2] };
            } finally {
                await tunnel.process.stop(10_000);
            }
        };

        it("(a) renders TLS 1.2 as the minimum and the BCP 195 suites; the tier runs them unless it predates them", function () {
            assert.equal(production.DicomTlsMinimumProtocolVersion, DICOM_TLS_MINIMUM_PROTOCOL_VERSION);
            assert.deepEqual(production.DicomTlsCiphersAccepted, DICOM_TLS_CIPHERS);
            const config = running().orthanc.config;
            if (tierId === "sid") {
                assert.equal(config.DicomTlsMinimumProtocolVersion, 4);
                assert.deepEqual(config.DicomTlsCiphersAccepted, DICOM_TLS_CIPHERS);
            } else {
                assert.equal("DicomTlsMinimumProtocolVersion" in config, false, "1.10.1 predates the key (1.12.4)");
                assert.equal("DicomTlsCiphersAccepted" in config, false, "1.10.1 predates the key (1.12.4)");
            }
        });

        it("(b) a modality speaking TLS 1.3 with its certificate is served (C-ECHO)", async function () {
            const { result, protocol } = await echoThrough("tls13", "TLSv1.3");
            assert.equal(result.code, 0, result.output);
            assert.equal(protocol, "TLSv1.3");
        });

        const served = (suite: string) => KNOWN[tierId].chacha20 || !suite.includes("CHACHA20");
        // The RSA suites of the list (the test's server certificate, like pacstack's, has an RSA key; the ECDSA ones
        // need an ECDSA certificate).
        for (const suite of DICOM_TLS_CIPHERS.filter((s) => s.startsWith("ECDHE-RSA-")))
            it(`(c) a modality speaking TLS 1.2 with ${suite} is ${served(suite) ? "served (C-ECHO)" : "refused by 1.10.1 (not in DCMTK's profile)"}`, async function () {
                const { result, protocol, cipher } = await echoThrough(`tls12-${suite}`, "TLSv1.2", suite);
                if (!served(suite)) return assert.notEqual(result.code, 0, result.output);
                assert.equal(result.code, 0, result.output);
                assert.deepEqual([protocol, cipher], ["TLSv1.2", suite]);
            });

        for (const version of ["tls1", "tls1_1"] as const)
            it(`(d) a ${version === "tls1" ? "TLS 1.0" : "TLS 1.1"} handshake is ${KNOWN[tierId][version] ? "accepted by 1.10.1 (known gap)" : "refused"}`, async function () {
                const handshake = await tlsHandshake(running().orthanc.dicomPort, { version, ...client() });
                assert.equal(handshake.established, KNOWN[tierId][version], handshake.result.output);
                if (handshake.established) assert.equal(handshake.protocol, version === "tls1" ? "TLSv1" : "TLSv1.1");
                else assert.match(handshake.result.output, SERVER_ALERT);
            });

        it("(e) a TLS 1.2 handshake offering only a suite outside BCP 195 (ECDHE with AES-CBC) is refused", async function () {
            const handshake = await tlsHandshake(running().orthanc.dicomPort, { version: "tls1_2", cipher: "ECDHE-RSA-AES128-SHA", ...client() });
            assert.equal(handshake.established, KNOWN[tierId].cbcSuite, handshake.result.output);
            assert.match(handshake.result.output, SERVER_ALERT);
        });

        it("(f) the listener still serves a modality after the refused handshakes (C-ECHO)", async function () {
            const result = await echo(running().association());
            assert.equal(result.code, 0, result.output);
        });
    });

// The control: the same sid Orthanc without the two keys (Orthanc's default, DCMTK's BCP 195 profile). What differs
// from the run above is what the keys do; Orthanc never warns about a key it ignores.
describe("DICOM TLS on real Orthanc without pacstack's TLS keys (sid, control)", function () {
    this.timeout(120_000);
    let stack: OrthancStack | undefined;
    const production = renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
    delete production.DicomTlsMinimumProtocolVersion;
    delete production.DicomTlsCiphersAccepted;
    before(async function () {
        this.timeout(15 * 60_000);
        stack = await startOrthancStack({ tierId: "sid", production, name: "dicom-tls-sid-control" });
    });
    after(async () => stack?.stop());

    it("without them, TLS 1.0 and 1.1 are accepted and ChaCha20 refused: the keys make the difference", async function () {
        assert.ok(stack, "Orthanc did not start (see before hook)");
        const client = { cert: stack.pki.client.cert, key: stack.pki.client.key, ca: stack.pki.ca.cert };
        const chacha = await tlsHandshake(stack.orthanc.dicomPort, { version: "tls1_2", cipher: "ECDHE-RSA-CHACHA20-POLY1305", ...client });
        const tls1 = await tlsHandshake(stack.orthanc.dicomPort, { version: "tls1", ...client });
        const tls11 = await tlsHandshake(stack.orthanc.dicomPort, { version: "tls1_1", ...client });
        const outputs = [chacha, tls1, tls11].map((h) => h.result.output).join("\n");
        assert.deepEqual({ chacha: chacha.established, tls1: tls1.established, tls11: tls11.established }, { chacha: false, tls1: true, tls11: true }, outputs);
    });
});
