import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { KeptResource, PlannedResource } from "../../scripts/plan/plan";
import { REPO_ROOT } from "./stack-config";

export interface PlanResult {
    code: number;
    stdout: string;
    stderr: string;
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
    keptOnDestroy: KeptResource[];
    /** Every resource's URN, sorted. */
    urns: string[];
    /** The raw resources.json text, for determinism checks. */
    text: string;
    /** The Secrets `pulumi destroy` would leave in the cluster, with their (mock) values: `--kept-secrets-out`. */
    keptSecrets: Record<string, Record<string, string>>;
}

/** A deployment after `pulumi destroy`: the Secrets the cluster kept, and how many deployments generated values. */
export interface PlanHistory {
    /** A file in the shape PACSTACK_KEPT_SECRETS reads (a plan's keptSecrets written out). @default nothing kept */
    keptSecretsFile?: string;
    /** @default 1 */
    generation?: number;
}

const cache = new Map<string, Promise<PlanResult>>();

/** Runs `npm run plan`'s script in a child process (one Pulumi runtime per process) and reads its files. */
export function planStack(stack: string, overrides: Record<string, string | number> = {}, history: PlanHistory = {}): Promise<PlanResult> {
    const assignments = Object.entries(overrides).map(([k, v]) => `${k}=${v}`);
    const options = [
        ...(history.keptSecretsFile ? [`--kept-secrets=${history.keptSecretsFile}`] : []),
        ...(history.generation ? [`--generation=${history.generation}`] : []),
    ];
    const key = [stack, ...assignments, ...options].join(" ");
    if (!cache.has(key)) {
        cache.set(key, runPlan(stack, [...assignments, ...options]));
    }
    return cache.get(key)!;
}

async function runPlan(stack: string, assignments: string[]): Promise<PlanResult> {
    const outdir = mkdtempSync(join(tmpdir(), `pacstack-plan-${stack}-`));
    const keptOut = join(outdir, "kept-secrets.json");
    const args = ["-r", "ts-node/register/transpile-only", join(REPO_ROOT, "scripts/plan/cli.ts"), stack, outdir, ...assignments, `--kept-secrets-out=${keptOut}`];
    try {
        const { stdout, stderr } = await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT });
        const text = readFileSync(join(outdir, "resources.json"), "utf8");
        const outputs = JSON.parse(readFileSync(join(outdir, "outputs.json"), "utf8"));
        const keptOnDestroy = JSON.parse(readFileSync(join(outdir, "kept-on-destroy.json"), "utf8"));
        const urns = JSON.parse(readFileSync(join(outdir, "urns.json"), "utf8"));
        const keptSecrets = JSON.parse(readFileSync(keptOut, "utf8"));
        return { code: 0, stdout, stderr, resources: JSON.parse(text), outputs, keptOnDestroy, urns, text, keptSecrets };
    } catch (error) {
        const failure = error as { code?: number; stdout?: string; stderr?: string };
        return { code: failure.code ?? 1, stdout: failure.stdout ?? "", stderr: failure.stderr ?? "", resources: [], outputs: {}, keptOnDestroy: [], urns: [], text: "", keptSecrets: {} };
    }
}

export function byType(plan: PlanResult, type: string): PlannedResource[] {
    return plan.resources.filter((r) => r.type === type);
}

export function one(plan: PlanResult, type: string, name: string): PlannedResource {
    const found = plan.resources.find((r) => r.type === type && r.name === name);
    if (!found) {
        throw new Error(`no ${type} named ${name} in the plan`);
    }
    return found;
}
