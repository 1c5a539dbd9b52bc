import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { ORTHANC_MOUNTS } from "../../components/orthanc/paths";
import { assemble, nestedSequences } from "../harness/hostile/bytes";
import { baseInstance, HostileCase, hostileCorpus } from "../harness/hostile/corpus";
import { HostileTarget, runCase } from "../harness/hostile/target";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { stopAllProcesses } from "../harness/real/processes";
import { CT_IMAGE_STORAGE, EXPLICIT_VR_LITTLE_ENDIAN, fileMeta, newUid, partTen } from "../harness/real/synthetic";

/**
 * The reasons behind two of pacstack's decisions, proven on an Orthanc that runs without either (the corpus test runs
 * the pod's command and configuration, see tests/orthanc/hostile.real.test.ts).
 *
 * The address-space cap (components/orthanc/command.ts): without it, a 1.2 KB upload whose file meta group declares
 * 0xFFFFFFFE bytes makes Orthanc take 4 GiB, more than the pod's memory limit (an OOM kill); the corpus shows that
 * under the pod's cap the same upload is refused and nothing else changes.
 *
 * Why pacstack loads no incoming-instance filter: Orthanc's only hook that sees an instance before it is stored is
 * Lua's ReceivedInstanceFilter (the image's Python plugin is refused by pacstack). A filter that looks for deep
 * nesting has to walk the tables Orthanc builds from the instance, and walking them kills Orthanc itself at a depth
 * (24 to 32) that Orthanc without the filter stores and reads back fine (the corpus table: depth 32 on both tiers).
 */
const DEPTH_FILTER = `
local MAX_SEQUENCE_DEPTH = 16
-- A sequence is a key holding an array of item tables: two table levels per sequence.
local function tooDeep(dicom)
  local pending = { { dicom, 0 } }
  while #pending > 0 do
    local top = table.remove(pending)
    if top[2] > 2 * MAX_SEQUENCE_DEPTH then return true end
    for _, child in pairs(top[1]) do
      if type(child) == "table" then table.insert(pending, { child, top[2] + 1 }) end
    end
  end
  return false
end

function ReceivedInstanceFilter(dicom, origin, info)
  return not tooDeep(dicom)
end
`;

function nestedCase(depth: number): HostileCase {
    const b = baseInstance(newUid, `filter-${depth}`);
    const dataset = assemble(b.elements, [nestedSequences(depth, "undefined")]);
    return {
        name: `nesting/depth-${depth}-undefined`,
        family: "nesting",
        routes: ["rest", "dicom"],
        file: partTen(fileMeta(b.instance), dataset),
        network: { transferSyntax: EXPLICIT_VR_LITTLE_ENDIAN, dataset, sopClass: CT_IMAGE_STORAGE, sopUid: b.instance.sopUid },
        uids: { study: b.instance.studyUid, series: b.instance.seriesUid, sop: b.instance.sopUid },
    };
}

for (const tierId of ORTHANC_TIER_IDS) describe(`hostile input without pacstack's mitigations, real Orthanc (${tierId})`, function () {
    this.timeout(180_000);
    let stack: OrthancStack;

    before(async function () {
        this.timeout(15 * 60_000);
        // The filter only where its test runs (1.10.1, see below): on 1.13.0 it could crash the other tests' uploads.
        const filter = tierId === "debian12";
        const production = { ...renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT), ...(filter ? { LuaScripts: [`${ORTHANC_MOUNTS.config}/depth-filter.lua`] } : {}) };
        stack = await startOrthancStack({ tierId, production, name: `hostile-nocap-${tierId}`, configFiles: filter ? { "depth-filter.lua": DEPTH_FILTER } : {} });
    });

    after(async function () {
        await stack?.stop();
        await stopAllProcesses();
    });

    // 1.13.0 with the same filter crashed on every send in some runs (even 8 levels) and refused cleanly in others:
    // broken memory, not a rule a test can hold it to, so only 1.10.1's consistent behaviour is asserted.
    if (tierId === "debian12") it("a Lua filter that inspects nesting never stores 24 to 40 levels and kills 1.10.1 on them, which Orthanc alone stores (32)", async function () {
        const target: HostileTarget = { stack, restarts: 0, events: [] };
        const shallow: string[] = [];
        for (const route of ["rest", "dicom"] as const) shallow.push((await runCase(target, nestedCase(8), route, { timeoutMs: 60_000 })).outcome);
        assert.deepEqual(shallow, ["stored", "stored"], "8 levels pass the filter");
        // The tables Orthanc hands to Lua are broken at this depth: walking them crashes most of the time, and when it
        // does not, the filter refuses (it sees more than 16 levels). Never a clean store.
        const deep: string[] = [];
        for (const depth of [24, 32, 40]) for (const route of ["rest", "dicom"] as const) deep.push((await runCase(target, nestedCase(depth), route, { timeoutMs: 60_000 })).outcome);
        assert.ok(deep.every((o) => o === "crash-on-upload" || o === "not-stored"), deep.join(", "));
        assert.ok(deep.filter((o) => o === "crash-on-upload").length >= 1, `no crash: ${deep.join(", ")}`);
        assert.equal(target.restarts, deep.filter((o) => o === "crash-on-upload").length, target.events.join("\n"));
    });
    it("without the address-space cap, a 1.2 KB upload declaring a 4 GiB meta group makes Orthanc take 4 GiB", async function () {
        const metaLie = hostileCorpus(newUid, { studyUid: newUid(), seriesUid: newUid(), sopUid: newUid() }).find((c) => c.name === "lying-length/meta-group-max");
        assert.ok(metaLie);
        const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${stack.orthanc.process.pid}/status`, "utf8"))?.[1]) * 1024;
        assert.ok(peak() < 2 ** 30, `Orthanc starts below 1 GiB (${peak()} bytes)`);
        const answer = await stack.orthanc.request("/instances", { method: "POST", body: metaLie.file, timeoutMs: 120_000 });
        assert.equal(answer.status, 200, "stored after all");
        assert.ok(peak() >= 4 * 2 ** 30 - 2 ** 27, `peak memory ${peak()} bytes`);
        assert.ok(stack.orthanc.process.isRunning());
    });

    it("without the cap, a 4 GiB length of (0002,0001) kills Orthanc 1.10.1 (1.13.0 refuses it); the corpus shows the cap's 500", async function () {
        const target: HostileTarget = { stack, restarts: 0, events: [] };
        const hugeMeta = hostileCorpus(newUid, { studyUid: newUid(), seriesUid: newUid(), sopUid: newUid() }).find((c) => c.name === "huge-length/meta-element");
        assert.ok(hugeMeta);
        const result = await runCase(target, hugeMeta, "rest", { timeoutMs: 60_000 });
        assert.equal(result.outcome, tierId === "debian12" ? "crash-on-upload" : "not-stored", `${result.answer} ${target.events.join("; ")}`);
    });

});
