/**
 * Offline plan: `npm run plan -- <stack> <outdir> [key=value ...]` runs the program under Pulumi mocks with the
 * stack's config (Pulumi.yaml defaults + Pulumi.<stack>.yaml + overrides) and writes <outdir>/resources.json:
 * every resource as { type, name, inputs }, secrets replaced by "[secret]", sorted by type and name, plus
 * outputs.json (stack outputs, secrets redacted), kept-on-destroy.json (resources `pulumi destroy` leaves) and
 * urns.json (every resource's URN, to compare two versions of the program: a changed URN is a replacement).
 * It needs no cluster and no Pulumi CLI. `--program=FILE` plans another program (a TypeScript file that builds a
 * Platform) with the same stack configuration instead of index.ts.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { planDocument } from "./plan";
import { runProgram } from "./program";
import { PlanInputError, stackConfig } from "./stack-config";

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const programArg = args.find((arg) => arg.startsWith("--program="));
    const [stack, outdir, ...assignments] = args.filter((arg) => arg !== programArg);
    if (!stack || !outdir) {
        console.error("usage: npm run plan -- <stack> <outdir> [key=value ...] [--program=FILE]");
        return 2;
    }
    const overrides: Record<string, unknown> = {};
    for (const assignment of assignments) {
        const at = assignment.indexOf("=");
        if (at <= 0) {
            console.error(`${assignment}: a setting is key=value, for example orthancReplicas=3`);
            return 2;
        }
        overrides[assignment.slice(0, at)] = assignment.slice(at + 1);
    }
    let config: Record<string, string>;
    try {
        config = stackConfig(stack, overrides);
    } catch (error) {
        if (error instanceof PlanInputError) {
            console.error(error.message);
            return 2;
        }
        throw error;
    }
    const run = await runProgram(stack, config, programArg && resolve(programArg.slice("--program=".length)));
    if (run.error) {
        console.error(run.error.message);
        console.error(`${run.resources.length} resources registered`);
        return 1;
    }
    const plan = planDocument(run);
    mkdirSync(resolve(outdir), { recursive: true });
    writeFileSync(join(resolve(outdir), "resources.json"), JSON.stringify(plan.resources, null, 2) + "\n");
    writeFileSync(join(resolve(outdir), "outputs.json"), JSON.stringify(plan.outputs, null, 2) + "\n");
    writeFileSync(join(resolve(outdir), "kept-on-destroy.json"), JSON.stringify(plan.keptOnDestroy, null, 2) + "\n");
    writeFileSync(join(resolve(outdir), "urns.json"), JSON.stringify(plan.urns, null, 2) + "\n");
    console.log(`${plan.resources.length} resources written to ${join(outdir, "resources.json")}`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error) => {
        console.error(error);
        process.exit(1);
    },
);
