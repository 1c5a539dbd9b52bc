import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ModalityAccess } from "../../components/config/modalities";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { echo, readUids, store } from "../harness/real/dicom";
import { logOffset, logSince } from "../harness/real/logs";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { issue, opensslConfig } from "../harness/real/pki";
import { freePort, waitFor } from "../harness/real/processes";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { findStudies, getStudy, moveStudy, startStorescp, startTlsTunnel, Storescp, TlsTunnel } from "../harness/real/qr";
import { Association } from "../harness/real/dicom";
import { storeFiles } from "../harness/real/scu";
import { ctFile, newUid, writeStudyPopulation } from "../harness/real/synthetic";

/**
 * Modalities as a hospital configures them, against the real Orthanc over DICOM TLS with dcmtk: a scanner that
 * may only store (and echo), a workstation that may find, move and get and receives moved studies on its own
 * storescp (TLS, certificate from the pacstack CA), and AE titles nobody configured.
 */
const FIND_LIMIT = 1000;

for (const tierId of ORTHANC_TIER_IDS)
    describe(`modalities and their rights on real Orthanc over DICOM TLS (${tierId})`, function () {
        this.timeout(120_000);
        let stack: OrthancStack | undefined;
        let receiver: Storescp | undefined;
        let tunnel: TlsTunnel | undefined;
        // Short UIDs: findscu shortens long values when it prints them, and the test reads them from its output.
        const shortUid = () => `2.25.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
        const study = { studyUid: shortUid(), seriesUid: newUid(), sopUid: newUid() };
        let sentFile = "";

        before(async function () {
            this.timeout(15 * 60_000); // the sid tier's folder is built on first use
            const receiverPort = await freePort();
            const scanner: ModalityAccess = { name: "ct-scanner", aeTitle: "CT1", allow: ["store", "echo"] };
            const workstation: ModalityAccess = {
                name: "workstation",
                aeTitle: "WS1",
                allow: ["find", "move", "get", "echo"],
                destination: { host: "127.0.0.1", port: receiverPort, tls: true },
            };
            const production = renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, modalities: [scanner, workstation] });
            stack = await startOrthancStack({ tierId, production, name: `modalities-${tierId}` });
            // The workstation's receiver presents a certificate the pacstack CA issued for serving (as pacstack issues
            // for a modality with a TLS destination) and accepts only peers with a certificate from that CA.
            const ws = await issue(stack.pki.dir, "workstation", "workstation", "server", stack.pki.ca, opensslConfig(stack.pki));
            receiver = await startStorescp({
                aeTitle: "WS1",
                port: receiverPort,
                dir: join(stack.work, "workstation-received"),
                cert: ws.cert,
                key: ws.key,
                ca: stack.pki.ca.cert,
                logName: `modalities-${tierId}-storescp`,
            });
            tunnel = await startTlsTunnel({
                targetPort: stack.orthanc.dicomPort,
                cert: stack.pki.client.cert,
                key: stack.pki.client.key,
                ca: stack.pki.ca.cert,
                dir: join(stack.work, "stunnel"),
                logName: `modalities-${tierId}-stunnel`,
            });
            mkdirSync(join(stack.work, "sent"), { recursive: true });
            sentFile = join(stack.work, "sent", "ct.dcm");
            writeFileSync(
                sentFile,
                ctFile({ ...study, patientId: "QR1", patientName: "QR^TEST", studyDate: "20250105", accessionNumber: "QR1", studyDescription: "q/r", seriesNumber: 1, instanceNumber: 1, rows: 32, columns: 32 }),
            );
        });
        after(async () => {
            await tunnel?.process.stop();
            await receiver?.process.stop();
            await stack?.stop();
        });

        const s = (): OrthancStack => {
            assert.ok(stack, "Orthanc did not start (see before hook)");
            return stack;
        };
        /** movescu and getscu (no TLS in Debian 12's dcmtk) go through the TLS tunnel. */
        const viaTunnel = (callingAe: string): Association => {
            assert.ok(tunnel, "stunnel did not start (see before hook)");
            return { port: tunnel.port, calledAe: PRODUCTION_ORTHANC_INPUT.aeTitle, callingAe, tls: { mode: "none" } };
        };

        it("the scanner (store, echo) stores a study over DICOM TLS", async function () {
            const result = await store(s().association("CT1"), [sentFile]);
            assert.equal(result.code, 0, result.output);
            assert.equal((await echo(s().association("CT1"))).code, 0);
        });

        it("an AE title nobody configured may neither store nor echo", async function () {
            const stored = await store(s().association("INTRUDER"), [sentFile]);
            assert.notEqual(stored.code, 0, `C-STORE from an unknown AE title must fail:\n${stored.output}`);
            const echoed = await echo(s().association("INTRUDER"));
            assert.notEqual(echoed.code, 0, `C-ECHO from an unknown AE title must fail:\n${echoed.output}`);
        });

        it("the scanner is refused C-FIND (it has no find right)", async function () {
            const log = s().orthanc.process.log;
            const offset = logOffset(log);
            const { result, answers } = await findStudies(s().association("CT1"), study.studyUid);
            assert.deepEqual(answers, [], result.output);
            assert.match(result.output, /(Association Rejected|Refused|Failed|Error)/i, result.output);
            await waitFor("Orthanc logs the refusal", async () => /CT1/.test(logSince(log, offset)), { timeoutMs: 5_000, logs: [log] });
        });

        it("the workstation (find, move, get) finds the study with findscu", async function () {
            const { result, answers } = await findStudies(s().association("WS1"), study.studyUid);
            assert.equal(result.code, 0, result.output);
            assert.deepEqual(answers, [study.studyUid], result.output);
        });

        it("the workstation retrieves it with movescu into its own storescp over DICOM TLS", async function () {
            const result = await moveStudy(viaTunnel("WS1"), study.studyUid, "WS1");
            assert.equal(result.code, 0, result.output);
            assert.doesNotMatch(result.output, /Failed|Warning/i, result.output);
            await waitFor("the workstation's storescp received the instance", async () => receiver!.files().length === 1, { logs: [receiver!.process.log] });
            const [file] = receiver!.files();
            assert.deepEqual(await readUids(file), study);
            assert.ok(readFileSync(file).subarray(-32 * 32 * 2).equals(readFileSync(sentFile).subarray(-32 * 32 * 2)), "pixel data differs");
        });

        it("the workstation retrieves it with getscu", async function () {
            const dir = join(s().work, "getscu");
            const result = await getStudy(viaTunnel("WS1"), study.studyUid, dir);
            assert.equal(result.code, 0, result.output);
            const files = readdirSync(dir);
            assert.equal(files.length, 1, result.output);
            assert.deepEqual(await readUids(join(dir, files[0])), study);
        });

        it("a move to an AE title Orthanc does not know fails cleanly, and Orthanc carries on", async function () {
            const result = await moveStudy(viaTunnel("WS1"), study.studyUid, "NOWHERE");
            assert.match(result.output, /(Move Destination Unknown|0xa801|Failed|Refused)/i, result.output);
            assert.equal(receiver!.files().length, 1, "nothing more may arrive at the workstation");
            assert.ok(s().orthanc.process.isRunning());
            assert.equal((await echo(s().association("WS1"))).code, 0);
        });

        it("the scanner may not move (no move right) even to a known destination", async function () {
            const result = await moveStudy(viaTunnel("CT1"), study.studyUid, "WS1");
            assert.match(result.output, /(Failed|Refused|Rejected|Not Authorized)/i, result.output);
            assert.equal(receiver!.files().length, 1, "nothing more may arrive at the workstation");
        });

        it("LimitFindResults: a C-FIND answers at most 1000 studies", async function () {
            this.timeout(600_000);
            const population = writeStudyPopulation(join(s().work, "population"), FIND_LIMIT + 5);
            const sent = await storeFiles(s().association("CT1"), population.map((f) => f.file));
            assert.deepEqual(sent.failed, [], sent.output.slice(-1500));
            const { result, answers } = await findStudies({ ...s().association("WS1"), timeoutSeconds: 120 }, { PatientID: "POP*" });
            // Orthanc 1.13.0 answers one more than the limit (found here; 1.10.1 answers exactly the limit). The bound
            // still holds: a search of the whole archive cannot return more than LimitFindResults + 1 answers.
            const expected = s().tier.id === "sid" ? FIND_LIMIT + 1 : FIND_LIMIT;
            assert.equal(answers.length, expected, result.output.slice(-2000));
            assert.match(result.output, /Received Final Find Response \((Cancel|Success)/, result.output.slice(-500));
        });
    });
