/**
 * Offline plan: `npm run plan -- <stack> <outdir> [key=value ...]` runs the program under Pulumi mocks with the
 * stack's config (Pulumi.yaml defaults + Pulumi.<stack>.yaml + overrides) and writes <outdir>/resources.json:
 * every resource as { type, name, inputs }, secrets replaced by "[secret]", sorted by type and name, plus
 * outputs.json (stack outputs, secrets redacted), kept-on-destroy.json (resources `pulumi destroy` leaves) and
 * urns.json (every resource's URN, to compare two versions of the program: a changed URN is a replacement).
 * It needs no cluster and no Pulumi CLI. `--program=FILE` plans another program (a TypeScript file that builds a
 * Platform) with the same stack configuration instead of index.ts.
 *
 * Credentials: by default the plan is a first deployment (nothing kept in the cluster). `--kept-secrets=FILE` plans a
 * redeployment onto the Secrets a destroyed deployment kept (the JSON `--kept-secrets-out=FILE` writes: every kept
 * Secret with its values, which under mocks are placeholders), and `--generation=N` makes the generated values those
 * of the N-th deployment since the state was lost (different from the first's).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { KEPT_SECRETS_ENV } from "../../components/kube/kept-secrets";
import { join, resolve } from "node:path";
import { keptSecretValues, planDocument } from "./plan";
import { runProgram } from "./program";
import { PlanInputError, stackConfig } from "./stack-config";

async function main(): Promise<number> {
    const args = process.argv.slice(2);
    const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
    const [stack, outdir, ...assignments] = args.filter((arg) => !arg.startsWith("--"));
    const programArg = option("program");
    const generation = Number(option("generation") ?? "1");
    if (!stack || !outdir || !Number.isInteger(generation) || generation < 1) {
        console.error("usage: npm run plan -- <stack> <outdir> [key=value ...] [--program=FILE] [--kept-secrets=FILE] [--kept-secrets-out=FILE] [--generation=N]");
        return 2;
    }
    // Offline: the kept Secrets come from the file given, or there are none; the cluster is never asked.
    process.env[KEPT_SECRETS_ENV] = option("kept-secrets") ? resolve(option("kept-secrets")!) : "none";
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
    const run = await runProgram(stack, config, programArg ? resolve(programArg) : undefined, generation);
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
    const keptOut = option("kept-secrets-out");
    if (keptOut) writeFileSync(resolve(keptOut), JSON.stringify(keptSecretValues(run), null, 2) + "\n", { mode: 0o600 });
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
