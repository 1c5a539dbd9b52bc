import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModalityAccess } from "../../components/config/modalities";
import { ForwardingRule, OrthancPeer } from "../../components/config/peers";
import { renderDeployedOrthancConfig, renderDeployedOrthancFiles } from "../../components/orthanc/deployed-config";
import { CONFIG_FILE } from "../../components/orthanc/paths";
import { peerPasswordEnv } from "../../components/orthanc/peers";
import { freshCtSample, store } from "../harness/real/dicom";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { createTestPki, issue, opensslConfig, TestPki } from "../harness/real/pki";
import { waitFor } from "../harness/real/processes";
import { PRODUCTION_ORTHANC_INPUT, TEST_MODALITY } from "../harness/real/production";
import { startStunnel, Stunnel } from "../harness/real/stunnel";

/**
 * Forwarding between real Orthancs, each with pacstack's rendered configuration (hosts, ports, paths rewritten):
 * site A forwards every stable study to archive B as a DICOM TLS C-STORE (a modality with a TLS destination) and to
 * research C as an Orthanc peer over HTTPS. C's HTTPS is a TLS front (stunnel) with a certificate of the pacstack
 * CA, which A verifies with the peer's caCertificate; an impostor front with another CA's certificate is refused.
 */
const STABLE_AGE_SECONDS = 2;
/** The password A sends to C: punctuation Orthanc's ${VAR} substitution must carry through untouched. */
const PEER_PASSWORD = "p4$s'{w}#rd:;<>%20";

for (const tierId of ORTHANC_TIER_IDS)
    describe(`peers and forwarding between real Orthancs (${tierId})`, function () {
        this.timeout(180_000);
        let dir = "";
        let pki: TestPki;
        let a: OrthancStack | undefined;
        let b: OrthancStack | undefined;
        let c: OrthancStack | undefined;
        const fronts: Stunnel[] = [];

        before(async function () {
            this.timeout(15 * 60_000); // the sid tier's folder is built on first use
            dir = mkdtempSync(join(tmpdir(), `pacstack-peers-${tierId}-`));
            pki = await createTestPki(join(dir, "pki"));
            // B: an archive that lets A's AE title store; C: an Orthanc that knows A's peer user.
            const siteA: ModalityAccess = { name: "site-a", aeTitle: "ORTHANC_A", allow: ["store", "echo"] };
            b = await startOrthancStack({ tierId, pki, name: `peers-b-${tierId}`, production: renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, aeTitle: "ORTHANC_B", modalities: [siteA] }) });
            c = await startOrthancStack({ tierId, pki, name: `peers-c-${tierId}`, production: renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT), users: { "site-a": PEER_PASSWORD } });
            const rogueServer = await issue(pki.dir, "rogue-server", "localhost", "server", pki.rogueCa, opensslConfig(pki));
            const front = await startStunnel({ mode: "server", targetPort: c.orthanc.httpPort, cert: pki.server.cert, key: pki.server.key, dir: join(dir, "front"), logName: `peers-${tierId}-front` });
            const impostor = await startStunnel({ mode: "server", targetPort: c.orthanc.httpPort, cert: rogueServer.cert, key: rogueServer.key, dir: join(dir, "impostor"), logName: `peers-${tierId}-impostor` });
            fronts.push(front, impostor);

            const archive: ModalityAccess = { name: "archive-b", aeTitle: "ORTHANC_B", allow: ["echo"], destination: { host: "127.0.0.1", port: b.orthanc.dicomPort, tls: true } };
            const peers: OrthancPeer[] = [
                { name: "research-c", url: `https://127.0.0.1:${front.port}/`, username: "site-a", caCertificate: pki.ca.certPem },
                { name: "impostor", url: `https://127.0.0.1:${impostor.port}/`, username: "site-a", caCertificate: pki.ca.certPem },
            ];
            const forwarding: ForwardingRule[] = [
                { target: { kind: "modality", name: "archive-b" }, trigger: "stable-study" },
                { target: { kind: "peer", name: "research-c" }, trigger: "stable-study" },
            ];
            const files = renderDeployedOrthancFiles({
                ...PRODUCTION_ORTHANC_INPUT,
                aeTitle: "ORTHANC_A",
                modalities: [TEST_MODALITY, archive],
                peers,
                forwarding,
                stableAgeSeconds: STABLE_AGE_SECONDS,
            });
            const { [CONFIG_FILE]: json, ...configFiles } = files;
            const secretEnv = Object.fromEntries(peers.map((p) => [peerPasswordEnv(p.name), PEER_PASSWORD]));
            a = await startOrthancStack({ tierId, pki, name: `peers-a-${tierId}`, production: JSON.parse(json), configFiles, secretEnv });
        });
        after(async () => {
            for (const front of fronts) await front.process.stop();
            for (const stack of [a, b, c]) await stack?.stop();
            if (dir) rmSync(dir, { recursive: true, force: true });
        });

        const s = (stack: OrthancStack | undefined): OrthancStack => {
            assert.ok(stack, "the Orthancs did not start (see before hook)");
            return stack;
        };
        const file = async (stack: OrthancStack, id: string) => (await stack.orthanc.request(`/instances/${id}/file`)).body;
        const instanceIdOf = async (stack: OrthancStack, sopUid: string) => {
            const found = await stack.orthanc.request("/tools/lookup", { method: "POST", body: sopUid });
            return (JSON.parse(found.body.toString()) as { ID: string; Type: string }[]).find((r) => r.Type === "Instance")?.ID;
        };

        it("a study stored at A over DICOM TLS arrives at B (DICOM TLS) and at C (peer over HTTPS), byte for byte", async function () {
            const sample = await freshCtSample(join(dir, "sent"), "forwarded.dcm");
            const stored = await store(s(a).association(TEST_MODALITY.aeTitle), [sample.file]);
            assert.equal(stored.code, 0, stored.output);
            const id = await instanceIdOf(s(a), sample.sopUid);
            assert.ok(id, "A indexed the instance");
            const original = await file(s(a), id);
            for (const [name, target] of [["B", s(b)], ["C", s(c)]] as const) {
                await waitFor(`the study reaches ${name}`, async () => (await instanceIdOf(target, sample.sopUid)) === id, {
                    timeoutMs: 60_000,
                    logs: [s(a).orthanc.process.log, target.orthanc.process.log],
                });
                assert.ok((await file(target, id)).equals(original), `${name} holds other bytes than A`);
            }
            const origin = async (stack: OrthancStack) => (await stack.orthanc.request(`/instances/${id}/metadata/Origin`)).body.toString();
            assert.equal(await origin(s(b)), "DicomProtocol");
            assert.equal(await origin(s(c)), "RestApi");
            assert.equal((await s(b).orthanc.request(`/instances/${id}/metadata/RemoteAET`)).body.toString(), "ORTHANC_A");
        });

        it("A verifies the peer's certificate against the peer's CA: the impostor front (another CA) is refused", async function () {
            const sample = await freshCtSample(join(dir, "sent"), "impostor.dcm");
            const uploaded = await s(a).orthanc.request("/instances", { method: "POST", body: readFileSync(sample.file) });
            const { ID } = JSON.parse(uploaded.body.toString()) as { ID: string };
            const refused = await s(a).orthanc.request("/peers/impostor/store", { method: "POST", body: ID });
            assert.notEqual(refused.status, 200, `the impostor accepted: ${refused.body.toString()}`);
            const accepted = await s(a).orthanc.request("/peers/research-c/store", { method: "POST", body: ID });
            assert.equal(accepted.status, 200, accepted.body.toString());
            assert.equal(await instanceIdOf(s(c), sample.sopUid), ID);
        });

        it("keeps remote Lua off although the forwarding script runs", async function () {
            const answer = await s(a).orthanc.request("/tools/execute-script", { method: "POST", body: 'print("x")' });
            assert.equal(answer.status, 403);
        });
    });
