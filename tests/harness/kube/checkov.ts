import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { runTool } from "../real/tools";
import { REPO_ROOT } from "../stack-config";
import { KubeObject } from "./client";

/** One failed Checkov check: its id and the resource it names ("<Kind>.<namespace>.<name>"). */
export interface CheckovFinding {
    check: string;
    resource: string;
    name: string;
    /** The folder (under the scanned one) whose YAML held the resource. */
    folder: string;
}

let checkov: Promise<string> | undefined;

/** Path of the pinned Checkov (tests/tools/checkov.sh installs it once into the tools cache). */
export function pinnedCheckov(): Promise<string> {
    checkov ??= runTool("bash", [join(REPO_ROOT, "tests/tools/checkov.sh")], { timeoutMs: 30 * 60_000 }).then((result) => {
        if (result.code !== 0) throw new Error(`tests/tools/checkov.sh exited ${result.code}:\n${result.output}`);
        return result.stdout.trim();
    });
    return checkov;
}

/** Writes each set of objects as multi-document YAML into `<dir>/<folder>/objects.yaml`. */
export function writeObjects(dir: string, sets: Record<string, KubeObject[]>): void {
    for (const [folder, objects] of Object.entries(sets)) {
        mkdirSync(join(dir, folder), { recursive: true });
        writeFileSync(join(dir, folder, "objects.yaml"), objects.map((o) => stringify(o)).join("---\n"));
    }
}

/** Runs Checkov's Kubernetes checks over a folder (offline: no download of external checks) and lists what failed. */
export async function runCheckov(dir: string): Promise<CheckovFinding[]> {
    const result = await runTool(await pinnedCheckov(), ["-d", dir, "--framework", "kubernetes", "-o", "json", "--quiet", "--compact", "--skip-download"], {
        timeoutMs: 10 * 60_000,
        env: { ...process.env, BC_SKIP_MAPPING: "TRUE", CHECKOV_NO_UPDATE_CHECK: "1" },
    });
    // Exit code 1 means "some check failed"; anything else, or no JSON, is Checkov itself failing.
    if (result.code !== 0 && result.code !== 1) throw new Error(`checkov exited ${result.code}:\n${result.output}`);
    let reports: any;
    try {
        reports = JSON.parse(result.stdout);
    } catch {
        throw new Error(`checkov printed no JSON report:\n${result.output}`);
    }
    return (Array.isArray(reports) ? reports : [reports]).flatMap((report: any) =>
        (report.results?.failed_checks ?? []).map((f: any) => ({
            check: f.check_id,
            resource: f.resource,
            name: f.check_name,
            folder: String(f.file_path).replace(/^\//, "").split("/")[0],
        })),
    );
}
