import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FOUND_DIR, FoundCase, loadFoundCases } from "../harness/hostile/found";
import { HostileTarget, runCase } from "../harness/hostile/target";
import { OrthancTierId } from "../harness/real/orthanc-tiers";

/**
 * `npm run fuzz -- --verify --tier T`: replays every found crash twice on tier T with generous timeouts. A case found
 * on T that does not end the same way both times is load noise and is removed; for a case found on the other tier,
 * T's outcome is recorded when both replays agree. What stays is what the corpus test asserts.
 */
export async function verifyFound(target: HostileTarget, tierId: OrthancTierId, dir = FOUND_DIR): Promise<string[]> {
    const report: string[] = [];
    for (const found of loadFoundCases(dir)) {
        // A request without an answer under a loaded machine proves nothing by itself: such findings stay unverified
        // (listed in the report, never replayed by the corpus test) instead of costing a minute per replay here.
        const recorded = found.outcome[found.foundOn.tier];
        if (recorded === "waits" || (found.failedReads.length > 0 && found.failedReads.every((r) => r.endsWith("(no answer)")))) {
            report.push(`${found.file}: unverified (${recorded}, ${found.failedReads.join(", ") || found.answer})`);
            continue;
        }
        const outcomes: string[] = [];
        for (let round = 0; round < 2; round++) outcomes.push((await runCase(target, found.hostile, found.recipe.route, { timeoutMs: 60_000 })).outcome);
        const agreed = outcomes[0] === outcomes[1] ? (outcomes[0] as FoundCase["outcome"][OrthancTierId]) : undefined;
        const { hostile: _hostile, file, ...entry } = found;
        if (found.foundOn.tier === tierId && agreed !== found.outcome[tierId]) {
            rmSync(join(dir, file));
            report.push(`${file}: removed (recorded ${found.outcome[tierId]}, replayed ${outcomes.join(", ")})`);
            continue;
        }
        if (found.foundOn.tier === tierId && !found.verified) writeFileSync(join(dir, file), `${JSON.stringify({ ...entry, verified: true }, null, 1)}\n`);
        if (found.foundOn.tier !== tierId) {
            const outcome = { ...entry.outcome };
            if (agreed) outcome[tierId] = agreed;
            else delete outcome[tierId];
            writeFileSync(join(dir, file), `${JSON.stringify({ ...entry, outcome }, null, 1)}\n`);
        }
        report.push(`${file}: ${outcomes.join(", ")}`);
    }
    return report;
}
