import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { basicAuthorization, HttpAnswer } from "../harness/real/http";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { ctFile, newUid } from "../harness/real/synthetic";
import { waitFor } from "../harness/real/processes";

/**
 * Orthanc never warns about a key it does not know, so a clean start proves nothing: each test here shows the
 * effect of keys pacstack renders that the other real-software tests do not exercise (see README, "Which Orthanc
 * runs which test"). Run on Debian 12's Orthanc 1.10.1 and on the newest Debian Orthanc (1.13.0, newer than the
 * image's 1.12.11); where 1.10.1 predates a key, the test states what that version does instead.
 */
const UPLOAD_LIMIT_MIB = 1;

const instance = (sopUid: string, patientName: string) =>
    ctFile({
        patientId: "KEYS",
        patientName,
        studyUid: "2.25.1001",
        seriesUid: "2.25.1002",
        sopUid,
        studyDate: "20250101",
        accessionNumber: "K1",
        studyDescription: "keys",
        seriesNumber: 1,
        instanceNumber: 1,
        rows: 16,
        columns: 16,
    });

/** One request from a chosen loopback source address (Orthanc tells local from remote clients by it). */
function requestFrom(localAddress: string, port: number, path: string, headers: Record<string, string>): Promise<HttpAnswer> {
    return new Promise((done, fail) => {
        const req = request({ host: "127.0.0.1", port, path, localAddress, headers, agent: false, timeout: 10_000 }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.once("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.once("error", fail);
        req.end();
    });
}

/** Sends two requests on one TCP connection; resolves with the raw bytes received when both answers are in. */
function twoRequestsOnOneConnection(port: number, authorization: string): Promise<string> {
    return new Promise((done, fail) => {
        const socket = connect({ host: "127.0.0.1", port });
        let received = "";
        const ask = () => socket.write(`GET /system HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\n\r\n`);
        socket.setTimeout(10_000, () => socket.destroy(new Error(`timed out; received:\n${received}`)));
        socket.once("connect", ask);
        socket.on("data", (chunk: Buffer) => {
            received += chunk.toString("latin1");
            const answers = received.match(/HTTP\/1\.1 \d{3}/g)?.length ?? 0;
            if (answers === 1 && /\r\n\r\n[\s\S]*\}\s*$/.test(received) && !received.includes("#second")) {
                received += "#second";
                ask();
            } else if (answers === 2 && /\}\s*$/.test(received)) {
                socket.end();
                done(received);
            }
        });
        socket.once("error", fail);
        socket.once("close", () => done(received));
    });
}

for (const tierId of ORTHANC_TIER_IDS)
    describe(`Orthanc keys proven by their effect (${tierId})`, function () {
        this.timeout(120_000);
        let stack: OrthancStack | undefined;
        const production = renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, maxRequestBodyMiB: UPLOAD_LIMIT_MIB });

        before(async function () {
            this.timeout(15 * 60_000); // the sid tier's folder is built on first use
            stack = await startOrthancStack({ tierId, production, name: `keys-${tierId}` });
        });
        after(async () => stack?.stop());

        const s = (): OrthancStack => {
            assert.ok(stack, "Orthanc did not start (see before hook)");
            return stack;
        };
        const json = <T>(answer: HttpAnswer): T => JSON.parse(answer.body.toString()) as T;
        const upload = (body: Buffer) => s().orthanc.request("/instances", { method: "POST", body, headers: { "Content-Type": "application/dicom" } });

        it("MaximumRequestBodySizeMB: Orthanc itself answers 413 to a body over the limit (1.12.11 and later)", async function () {
            const small = await upload(instance(newUid(), "KEYS^SMALL"));
            assert.equal(small.status, 200, small.body.toString());
            const big = await upload(Buffer.alloc((UPLOAD_LIMIT_MIB + 1) * 2 ** 20, 1));
            if (s().tier.id === "debian12") {
                // 1.10.1 predates the key: it reads the whole body and refuses it only as a bad DICOM file.
                assert.notEqual(big.status, 413, "Orthanc 1.10.1 was not expected to know MaximumRequestBodySizeMB");
                assert.ok(big.status >= 400, `HTTP ${big.status}`);
            } else {
                assert.equal(big.status, 413, `HTTP ${big.status} ${big.body.toString().slice(0, 200)}`);
            }
            assert.ok(s().orthanc.process.isRunning());
        });

        it("Name and DicomAet: /system reports the rendered values", async function () {
            const system = json<{ Name: string; DicomAet: string }>(await s().orthanc.request("/system"));
            assert.equal(system.Name, production.Name);
            assert.equal(system.DicomAet, production.DicomAet);
        });

        it("RemoteAccessAllowed: a client that is not 127.0.0.1 is served (with credentials)", async function () {
            // Orthanc treats only the address 127.0.0.1 as local (its HTTP server compares the client's address with
            // that string); 127.0.0.2 is another loopback address, so it counts as remote: with RemoteAccessAllowed
            // false Orthanc answers 401 even with valid credentials.
            const authorization = basicAuthorization(...s().orthanc.user);
            const remote = await requestFrom("127.0.0.2", s().orthanc.httpPort, "/system", { Authorization: authorization });
            assert.equal(remote.status, 200, remote.body.toString());
            const anonymous = await requestFrom("127.0.0.2", s().orthanc.httpPort, "/system", {});
            assert.equal(anonymous.status, 401);
        });

        it("ExecuteLuaEnabled false: /tools/execute-script is refused", async function () {
            const answer = await s().orthanc.request("/tools/execute-script", { method: "POST", body: 'print("pacstack")' });
            assert.equal(answer.status, 403, answer.body.toString());
        });

        it("RestApiWriteToFileSystemEnabled false: exporting an instance to the server's disk is refused", async function () {
            const stored = json<{ ID: string }>(await upload(instance(newUid(), "KEYS^EXPORT")));
            const answer = await s().orthanc.request(`/instances/${stored.ID}/export`, { method: "POST", body: "/tmp/pacstack-export.dcm" });
            assert.equal(answer.status, 403, answer.body.toString());
        });

        it("WebDavEnabled false: there is no WebDAV tree", async function () {
            const answer = await s().orthanc.request("/webdav/", { method: "PROPFIND", headers: { Depth: "1" } });
            assert.ok([404, 405].includes(answer.status), `PROPFIND /webdav/: HTTP ${answer.status}`);
            assert.doesNotMatch(answer.body.toString(), /multistatus/i);
        });

        it("HttpDescribeErrors false: an error answer carries no description", async function () {
            const answer = await s().orthanc.request("/instances/no-such-instance");
            assert.equal(answer.status, 404);
            assert.equal(answer.body.length, 0, answer.body.toString());
        });

        it("KeepAlive true: two requests are answered on one connection", async function () {
            const raw = await twoRequestsOnOneConnection(s().orthanc.httpPort, basicAuthorization(...s().orthanc.user));
            assert.equal(raw.match(/HTTP\/1\.1 200/g)?.length, 2, raw.slice(0, 400));
        });

        it("OverwriteInstances false, StorageCompression false: a second file with the same UIDs leaves the first one byte for byte on disk", async function () {
            const sopUid = newUid();
            const first = instance(sopUid, "KEYS^FIRST");
            const stored = json<{ ID: string; Status: string }>(await upload(first));
            assert.equal(stored.Status, "Success");
            const again = json<{ ID: string; Status: string }>(await upload(instance(sopUid, "KEYS^SECOND")));
            assert.equal(again.Status, "AlreadyStored");
            const info = json<{ Uuid: string; CompressedSize: number; UncompressedSize: number }>(
                await s().orthanc.request(`/instances/${stored.ID}/attachments/dicom/info`),
            );
            assert.equal(info.CompressedSize, info.UncompressedSize);
            const onDisk = readFileSync(join(s().orthanc.storageDir, info.Uuid.slice(0, 2), info.Uuid.slice(2, 4), info.Uuid));
            assert.ok(onDisk.equals(first), "the stored file differs from the first upload");
        });

        it("DicomWeb.EnableWado and WadoRoot: WADO-URI returns the stored file", async function () {
            const file = instance(newUid(), "KEYS^WADO");
            const stored = json<{ ID: string }>(await upload(file));
            const tags = json<{ SOPInstanceUID: string }>(await s().orthanc.request(`/instances/${stored.ID}/simplified-tags`));
            const query = `requestType=WADO&studyUID=2.25.1001&seriesUID=2.25.1002&objectUID=${tags.SOPInstanceUID}&contentType=application/dicom`;
            const answer = await s().orthanc.request(`${production.DicomWeb && (production.DicomWeb as { WadoRoot: string }).WadoRoot}?${query}`);
            assert.equal(answer.status, 200, `${query}: ${answer.body.toString()}`);
            assert.ok(answer.body.equals(file), "WADO-URI answer differs from the stored file");
        });

        it("SaveJobs true (one replica): a job survives a restart", async function () {
            const stored = json<{ ParentStudy: string }>(await upload(instance(newUid(), "KEYS^JOB")));
            // A modification job (archive jobs cannot be saved); KeepSource leaves the stored study as it is.
            const body = JSON.stringify({ Replace: { StudyDescription: "saved job" }, KeepSource: true, Asynchronous: true });
            const job = json<{ ID: string }>(await s().orthanc.request(`/studies/${stored.ParentStudy}/modify`, { method: "POST", body }));
            await waitFor("the archive job finishes", async () => json<{ State: string }>(await s().orthanc.request(`/jobs/${job.ID}`)).State === "Success", {
                process: s().orthanc.process,
            });
            await s().orthanc.stop();
            await s().orthanc.start();
            const after = await s().orthanc.request(`/jobs/${job.ID}`);
            assert.equal(after.status, 200, `job ${job.ID} after the restart: HTTP ${after.status}`);
        });
    });
