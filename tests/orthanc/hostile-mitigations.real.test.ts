import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { hostileCorpus } from "../harness/hostile/corpus";
import { HostileTarget, runCase } from "../harness/hostile/target";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { stopAllProcesses } from "../harness/real/processes";
import { newUid } from "../harness/real/synthetic";

/**
 * The reason behind the address-space cap (components/orthanc/command.ts), proven on an Orthanc that runs without it
 * (the corpus test runs the pod's command and configuration, see tests/orthanc/hostile.real.test.ts): without the
 * cap, a 1.2 KB upload whose file meta group declares 0xFFFFFFFE bytes makes Orthanc take 4 GiB, more than the pod's
 * memory limit (an OOM kill); the corpus shows that under the pod's cap the same upload is refused and nothing else
 * changes. (Why pacstack loads no Lua incoming-instance filter rests on hand runs: README, "Hostile input".)
 */
for (const tierId of ORTHANC_TIER_IDS) describe(`hostile input without pacstack's address-space cap, real Orthanc (${tierId})`, function () {
    this.timeout(180_000);
    let stack: OrthancStack;

    before(async function () {
        this.timeout(15 * 60_000);
        const production = renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
        stack = await startOrthancStack({ tierId, production, name: `hostile-nocap-${tierId}` });
    });

    after(async function () {
        await stack?.stop();
        await stopAllProcesses();
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
