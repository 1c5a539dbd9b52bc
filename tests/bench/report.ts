/** The bench's report: its types, the ratios between targets, the Markdown summary and publishing a run. */
import { copyFileSync, mkdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { BenchTierId, CUSTOM_TIER_ID, ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import type { BenchOptions } from "./run";

export interface IngestRun {
    dataset: "large" | "small";
    associations: number;
    instances: number;
    bytes: number;
    seconds: number;
    instancesPerSecond: number;
    megabytesPerSecond: number;
}

export interface LatencySummary {
    count: number;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    /** Studies in the answer (first query), to show what the search returns. */
    answers: number;
    example: string;
}

export interface TargetResult {
    id: string;
    label: string;
    description: string;
    tls: boolean;
    ingest: IngestRun[];
    qido?: { studiesStored: number; kinds: Record<string, LatencySummary>; overall: { p50Ms: number; p95Ms: number } };
    wadoMetadata?: { instances: number; firstMs: number; p50Ms: number; runs: number };
    software?: Record<string, string>;
    config?: Record<string, unknown>;
    postgresSettings?: Record<string, string>;
}

export interface BenchReport {
    generatedAt: string;
    command: string;
    options: Omit<BenchOptions, "out">;
    machine: {
        cpuModel: string;
        cpus: number;
        memoryGiB: number;
        kernel: string;
        node: string;
        loadAverageStart: number[];
        loadAverageEnd: number[];
    };
    software: Record<string, string>;
    datasets: Record<string, { instances: number; rows: number; columns: number; bytesPerInstance: number }>;
    targets: TargetResult[];
    ratios: Record<string, Record<string, number>>;
    durationSeconds: number;
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

/** The result id of an Orthanc target on a tier: the plain id on Debian 12's (as in earlier reports), id@tier otherwise. */
export function tierTargetId(id: string, tier: BenchTierId): string {
    return tier === "debian12" ? id : `${id}@${tier}`;
}

export function ratios(targets: TargetResult[]): Record<string, Record<string, number>> {
    const byId = new Map(targets.map((t) => [t.id, t]));
    const out: Record<string, Record<string, number>> = {};
    const base = [["d", "b"], ["d", "c"], ["c", "b"], ["b", "a"], ["d", "a-tls"], ["d", "d-before"], ["d-1conn", "d-before"], ["d", "d-1conn"], ["d-1conn", "b"]];
    const onTier = (id: string, tier: BenchTierId) => (id.startsWith("a") ? id : tierTargetId(id, tier));
    // The same pairs on every other tier, and each Orthanc target against itself on Debian 12's Orthanc.
    const otherTiers: BenchTierId[] = [...ORTHANC_TIER_IDS.filter((t) => t !== "debian12"), CUSTOM_TIER_ID];
    const pairs = [
        ...base,
        ...otherTiers.flatMap((tier) => base.map(([x, y]) => [onTier(x, tier), onTier(y, tier)])),
        ...otherTiers.flatMap((tier) => ["b", "c", "d", "d-1conn", "d-before"].map((x) => [tierTargetId(x, tier), x])),
    ];
    for (const [x, y] of pairs) {
        const tx = byId.get(x);
        const ty = byId.get(y);
        if (!tx || !ty) continue;
        const entry: Record<string, number> = {};
        for (const run of tx.ingest) {
            const other = ty.ingest.find((r) => r.dataset === run.dataset && r.associations === run.associations);
            if (other) entry[`${run.dataset}@${run.associations}`] = round(run.instancesPerSecond / other.instancesPerSecond, 2);
        }
        out[`${x}/${y}`] = entry;
    }
    return out;
}

export function summaryMarkdown(report: BenchReport): string {
    const lines: string[] = [];
    const m = report.machine;
    lines.push(`Machine: ${m.cpuModel}, ${m.cpus} CPUs, ${m.memoryGiB} GiB, Linux ${m.kernel}; load average ${m.loadAverageStart.join(" ")} at start, ${m.loadAverageEnd.join(" ")} at end.`);
    lines.push(`Software: ${Object.entries(report.software).map(([k, v]) => `${k} ${v}`).join(", ")}.`);
    lines.push("");
    const runs = report.targets[0]?.ingest.map((r) => `${r.dataset}@${r.associations}`) ?? [];
    const header = (r: string) => {
        const [dataset, n] = r.split("@");
        return `${dataset === "large" ? "512² CT" : "small CT"} ×${n}`;
    };
    lines.push(`| target | ${runs.map(header).join(" | ")} | QIDO p50/p95 ms | WADO-RS metadata ms |`);
    lines.push(`|---|${runs.map(() => "---:").join("|")}|---:|---:|`);
    for (const t of report.targets) {
        const cells = runs.map((r) => {
            const run = t.ingest.find((x) => `${x.dataset}@${x.associations}` === r);
            return run ? `${run.instancesPerSecond} (${run.megabytesPerSecond} MB/s)` : "—";
        });
        const qido = t.qido ? `${t.qido.overall.p50Ms} / ${t.qido.overall.p95Ms}` : "—";
        const wado = t.wadoMetadata ? `${t.wadoMetadata.firstMs} (then ${t.wadoMetadata.p50Ms})` : "—";
        lines.push(`| (${t.id}) ${t.label} | ${cells.join(" | ")} | ${qido} | ${wado} |`);
    }
    lines.push("");
    lines.push("Ingest cells: instances/s (MB/s). Ratios of instances/s:");
    for (const [pair, entry] of Object.entries(report.ratios)) {
        lines.push(`- ${pair}: ${Object.entries(entry).map(([k, v]) => `${header(k)} ${v}`).join(", ")}`);
    }
    return lines.join("\n") + "\n";
}

/** Copies a chosen report and its chart to tests/bench/results/ (committed, shown in README). */
export function publish(fromDir: string): void {
    const to = resolve(__dirname, "results");
    mkdirSync(to, { recursive: true });
    for (const file of ["report.json", "throughput.png"]) {
        if (!statSync(join(fromDir, file)).isFile()) throw new Error(`${fromDir}/${file} missing`);
        copyFileSync(join(fromDir, file), join(to, file));
    }
}

export function log(message: string): void {
    process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
