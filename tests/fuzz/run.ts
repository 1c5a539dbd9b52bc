import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { FOUND_DIR, FoundCase } from "../harness/hostile/found";
import { newRecipe, random, recipeCase } from "../harness/hostile/mutate";
import { Outcome, runCase, HostileTarget, supervise } from "../harness/hostile/target";
import { startOrthancStack } from "../harness/real/orthanc-stack";
import { ORTHANC_TIER_IDS, OrthancTierId } from "../harness/real/orthanc-tiers";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { stopAllProcesses } from "../harness/real/processes";
import { verifyFound } from "./verify";

/**
 * `npm run fuzz -- --tier debian12|sid --minutes N [--seed S] [--out DIR]`: mutates valid instances (seeded, own
 * mutator), sends each over its route to the tier's Orthanc with pacstack's configuration, and writes every crash
 * or hang (at most 3 per kind of failure) as a replayable recipe into the found-cases folder, which the corpus
 * test replays (`--verify` replays them first: see verify.ts). Not part of `npm test`.
 */

const FINDINGS: readonly Outcome[] = ["crash-on-upload", "crash-on-read", "hang"];
const PER_SIGNATURE = 3;

function option(name: string, fallback?: string): string {
    const at = process.argv.indexOf(`--${name}`);
    const value = at >= 0 ? process.argv[at + 1] : fallback;
    if (value === undefined) throw new Error(`--${name} is required`);
    return value;
}

async function main(): Promise<void> {
    const tierId = option("tier") as OrthancTierId;
    if (!ORTHANC_TIER_IDS.includes(tierId)) throw new Error(`--tier ${tierId}: use one of ${ORTHANC_TIER_IDS.join(", ")}`);
    const minutes = Number(option("minutes", "10"));
    const seed = Number(option("seed", String(Date.now() % 0x7fffffff)));
    const out = resolve(option("out", FOUND_DIR));
    const summaryFile = resolve(option("summary", join("test-output", `fuzz-${tierId}-${seed}.json`)));
    mkdirSync(out, { recursive: true });
    mkdirSync(resolve(summaryFile, ".."), { recursive: true });
    const next = random(seed);
    const production = renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
    // The pod's command with the small profile's memory limit, as the corpus test runs it (its address-space cap).
    const stack = await startOrthancStack({ tierId, production, name: `fuzz-${tierId}`, memoryLimit: "2Gi" });
    const target: HostileTarget = { stack, restarts: 0, events: [] };
    if (process.argv.includes("--verify")) {
        try {
            console.log((await verifyFound(target, tierId, out)).join("\n"));
        } finally {
            await stack.stop();
            await stopAllProcesses();
        }
        return;
    }
    const started = Date.now();
    let deadline = started + minutes * 60_000;
    // Ctrl-C or a TERM ends the run after the current case, with the summary written and the servers stopped.
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => (deadline = 0));
    const outcomes: Record<string, number> = {};
    const signatures: Record<string, number> = {};
    const found: string[] = [];
    let runs = 0;
    let lastReport = started;
    const existing = new Set(readdirSync(out));
    const summary = () => ({ tier: tierId, version: stack.tier.version, seed, minutes: (Date.now() - started) / 60_000, runs, perSecond: runs / ((Date.now() - started) / 1000), restarts: target.restarts, outcomes, signatures, found });
    try {
        while (Date.now() < deadline) {
            const recipe = newRecipe(next);
            const name = `fuzz/${tierId}-${seed}-${runs}`;
            const result = await runCase(target, recipeCase(name, recipe), recipe.route, { timeoutMs: 20_000 }).catch(async (error) => {
                // The harness's own requests met a dying server: counted, the server supervised, the run goes on.
                await supervise(target, `${name}: ${(error as Error).message}`);
                return undefined;
            });
            if (!result) {
                outcomes["harness-error"] = (outcomes["harness-error"] ?? 0) + 1;
                continue;
            }
            runs++;
            outcomes[`${result.outcome}@${recipe.route}`] = (outcomes[`${result.outcome}@${recipe.route}`] ?? 0) + 1;
            // A web request that never answers holds a thread: a finding, unlike a DICOM peer left waiting for data.
            if (FINDINGS.includes(result.outcome) || (result.outcome === "waits" && recipe.route !== "dicom")) {
                const signature = `${result.outcome}@${recipe.route} ${result.failedReads.map((r) => r.replace(/\/[^/]*[0-9a-f]{8}[^/]*/g, "/…")).sort().join(",")}`;
                signatures[signature] = (signatures[signature] ?? 0) + 1;
                if (signatures[signature] <= PER_SIGNATURE) {
                    const file = `${tierId}-${seed}-${runs - 1}.json`;
                    if (!existing.has(file)) {
                        const entry: FoundCase = { name, foundOn: { tier: tierId, version: stack.tier.version }, outcome: { [tierId]: result.outcome }, answer: result.answer, failedReads: result.failedReads, recipe };
                        writeFileSync(join(out, file), `${JSON.stringify(entry, null, 1)}\n`);
                        found.push(file);
                    }
                }
            }
            if (Date.now() - lastReport > 60_000) {
                lastReport = Date.now();
                writeFileSync(summaryFile, `${JSON.stringify(summary(), null, 1)}\n`);
                console.log(`${new Date().toISOString()} ${tierId}: ${runs} runs, ${target.restarts} restarts, ${found.length} cases written`);
            }
        }
    } finally {
        writeFileSync(summaryFile, `${JSON.stringify(summary(), null, 1)}\n`);
        console.log(JSON.stringify(summary(), null, 1));
        await stack.stop();
        await stopAllProcesses();
    }
}

main().then(() => process.exit(0), (error) => {
    console.error(error);
    process.exit(1);
});
