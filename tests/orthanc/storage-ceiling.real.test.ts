import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { store } from "../harness/real/dicom";
import { orthancTier } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { writeCtStudy } from "../harness/real/synthetic";

const CEILING_MIB = 2;
const MiB = 1024 * 1024;
/** storescu -v's line for a C-STORE answered with status 0xA700 (Refused: Out of Resources). */
const REFUSED = /Received Store Response \(Refused: OutOfResources\)/;

/**
 * The storage ceiling pacstack renders (MaximumStorageSize, MaximumStorageMode Reject) on the real Orthanc 1.13.0
 * (the sid tier; Debian 12's 1.10.1 predates MaximumStorageMode and runs without both keys, see orthanc-tiers.ts):
 * once the stored files reach the ceiling, a new instance is refused with a DICOM failure status and nothing
 * already stored is touched. The ceiling is 2 MiB here instead of 90 % of a volume; only the value differs.
 */
describe("storage ceiling on real Orthanc (sid): a full archive refuses new instances cleanly", function () {
    this.timeout(300_000);
    let stack: OrthancStack | undefined;
    const production = renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, maximumStorageMiB: CEILING_MIB });

    before(async function () {
        this.timeout(15 * 60_000); // the sid folder is built on first use
        stack = await startOrthancStack({ tierId: "sid", production, name: "storage-ceiling" });
    });
    after(async () => stack?.stop());

    it("renders the ceiling with Reject, never Recycle; Debian 12's Orthanc runs without both keys", function () {
        assert.equal(production.MaximumStorageSize, CEILING_MIB);
        assert.equal(production.MaximumStorageMode, "Reject");
        assert.equal(stack!.orthanc.config.MaximumStorageMode, "Reject");
        assert.deepEqual(orthancTier("debian12").droppedKeys.filter((k) => k.startsWith("MaximumStorage")), ["MaximumStorageMode", "MaximumStorageSize"]);
    });

    it("stores until the ceiling, then refuses C-STORE with 0xA700 and REST with 507, keeping every earlier instance", async function () {
        const s = stack!;
        // Each file's size: the synthetic instances differ by a few bytes (the lengths of their UIDs).
        const stored: { sopUid: string; bytes: number }[] = [];
        let refusal = "";
        let refusedBytes = 0;
        for (let i = 0; i < 10 && !refusal; i++) {
            const [file] = writeCtStudy(join(s.work, `study-${i}`), { instances: 1, perSeries: 1, rows: 512, columns: 512 });
            refusedBytes = file.bytes;
            const result = await store(s.association(), [file.file], ["-v"]);
            if (result.code === 0 && !REFUSED.test(result.output)) stored.push({ sopUid: file.sopUid, bytes: file.bytes });
            else refusal = result.output;
        }
        assert.ok(stored.length >= 1, "the first instance fits under the ceiling");
        assert.match(refusal, REFUSED, "a refusal with the DICOM status Out of Resources");
        const total = stored.reduce((sum, s) => sum + s.bytes, 0);
        assert.ok(total <= CEILING_MIB * MiB && total + refusedBytes > CEILING_MIB * MiB, `refused after ${stored.length} instances, ${total} bytes`);

        const [extra] = writeCtStudy(join(s.work, "rest"), { instances: 1, perSeries: 1, rows: 512, columns: 512 });
        const rest = await s.orthanc.request("/instances", { method: "POST", body: readFileSync(extra.file), headers: { "Content-Type": "application/dicom" } });
        assert.equal(rest.status, 507, rest.body.toString());

        const statistics = JSON.parse((await s.orthanc.request("/statistics")).body.toString());
        assert.equal(statistics.CountInstances, stored.length);
        for (const { sopUid, bytes } of stored) {
            const found = JSON.parse((await s.orthanc.request("/tools/lookup", { method: "POST", body: Buffer.from(sopUid) })).body.toString());
            assert.equal(found.length, 1, sopUid);
            const file = await s.orthanc.request(`/instances/${found[0].ID}/file`);
            assert.equal(file.status, 200);
            assert.equal(file.body.length, bytes);
        }
    });
});
