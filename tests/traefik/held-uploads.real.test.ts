import assert from "node:assert/strict";
import { connect } from "node:tls";
import { LIVENESS_PATH } from "../../components/orthanc/probe";
import { edgeRequest } from "../harness/edge/client";
import { EdgeStack, TEST_UPLOAD_LIMIT_MIB, startEdgeStack } from "../harness/edge/stack";
import { holdUploads, residentMiB } from "../harness/real/held-uploads";
import { basicAuthorization } from "../harness/real/http";
import { runProbe } from "../harness/real/probe";
import { waitFor } from "../harness/real/processes";

const GiB = 1024 * 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The same held uploads as tests/orthanc/held-uploads.real.test.ts, sent through the real Traefik with the rendered
 * routes (Orthanc 1.10.1 behind it, the version that allocates a declared body and whose threads they stall): the
 * buffering middleware answers a declared body over the limit at once and reads every other body before it opens
 * a connection to Orthanc, so Orthanc neither allocates nor waits.
 */
describe("held uploads through the real Traefik", function () {
    this.timeout(600_000);
    let stack: EdgeStack;
    const orthanc = () => stack.orthanc!;
    const hold = (path: string, declaredBytes: number, firstBytes: number, count: number) =>
        holdUploads({
            connect: () => connect({ host: "127.0.0.1", port: stack.httpsPort, servername: stack.domain, ca: stack.caPem }),
            host: stack.domain,
            path,
            authorization: basicAuthorization(stack.user.username, stack.user.password),
            declaredBytes,
            firstBytes,
            count,
        });

    before(async function () {
        stack = await startEdgeStack();
    });

    after(async function () {
        await stack?.stop();
    });

    it("a declared 1 GiB body with 1 KiB sent gets 413 from the edge, and Orthanc allocates nothing", async function () {
        const before = residentMiB(orthanc().process.pid);
        const lie = hold("/orthanc/instances", GiB, 1024, 1);
        try {
            await waitFor("the edge's answer", async () => lie.answers()[0] !== "", { timeoutMs: 20_000 });
            assert.match(lie.answers()[0], /^HTTP\/1\.1 413 /);
        } finally {
            lie.close();
        }
        assert.ok(GiB > TEST_UPLOAD_LIMIT_MIB * 1024 * 1024);
        assert.ok(residentMiB(orthanc().process.pid) - before < 100, "Orthanc's resident memory did not grow");
    });

    it("60 uploads under the limit held at the edge (a byte every 10 s) leave Orthanc serving: its liveness probe passes and searches through the edge answer", async function () {
        const declared = TEST_UPLOAD_LIMIT_MIB * 1024 * 1024;
        const held = [hold("/orthanc/instances", declared, 1024, 30), hold("/dicom-web/studies", declared, 1024, 30)];
        try {
            for (const wait of [3_000, 12_000]) {
                await sleep(wait);
                const probe = await runProbe(orthanc(), LIVENESS_PATH);
                assert.equal(probe.code, 0, probe.output);
                const search = await edgeRequest(stack, "/dicom-web/studies", { auth: [stack.user.username, stack.user.password], timeoutMs: 10_000 });
                assert.equal(search.status, 200);
            }
            assert.deepEqual(held.map((h) => h.open()), [30, 30], "the edge still holds every upload");
            assert.deepEqual(held.flatMap((h) => h.answers()).filter((a) => a !== ""), [], "and has answered none");
        } finally {
            held.forEach((h) => h.close());
        }
    });
});
