/**
 * `npm run bench [-- options]`: measures the Orthanc tier with the real software on this machine (Debian's
 * Orthanc + PostgreSQL index + DICOMweb plugins, PostgreSQL, dcmtk), and writes a JSON report and a PNG chart to
 * test-output/bench/<time>/ (and test-output/bench/latest). This is a benchmark, not a test: it asserts only that
 * every phase did what it claims (all instances acknowledged and indexed, answers complete), never a speed.
 *
 * Targets: (a) dcmtk storescp --fork (plain and TLS) as the machine's DICOM transfer bound; (b) Orthanc with its
 * stock defaults (SQLite); (c) Orthanc on PostgreSQL with the plugin's stock settings; (d) Orthanc with pacstack's
 * rendered configuration; (d-before) pacstack's configuration before tuning; plus `--variant` experiments.
 *
 * Every dcmtk tool and Orthanc run with TCP_NODELAY=1: Debian's dcmtk leaves Nagle's algorithm on otherwise and
 * DICOM figures come out about ten times too low (the orthancteam images build dcmtk with DISABLE_NAGLE_ALGORITHM).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { renderOrthancCredentials } from "../../components/orthanc/config";
import { DEBIAN_ORTHANC_PLUGIN_DIR, postgresBinDir, requireBinary } from "../harness/real/binaries";
import { Association, DCMTK_ENV } from "../harness/real/dicom";
import { OrthancServer, startOrthanc } from "../harness/real/orthanc";
import { createTestPki, TestPki } from "../harness/real/pki";
import { PostgresServer, startPostgres } from "../harness/real/postgres";
import { freePort, RunningProcess, startProcess, stopAllProcesses, tcpOpen, waitFor } from "../harness/real/processes";
import { storeParallel } from "../harness/real/scu";
import { SyntheticFile, writeCtStudy, writeStudyPopulation } from "../harness/real/synthetic";
import { runTool } from "../harness/real/tools";
import { renderChart, svgToPng } from "./chart";
import { builtinTargets, OrthancTarget, StorescpTarget, variantTarget, VariantSpec } from "./targets";

export const BENCH_OUTPUT = resolve(__dirname, "../../test-output/bench");

export interface BenchOptions {
    quick: boolean;
    /** Instances per ingest run, 512x512 CT. */
    largeInstances: number;
    /** Instances per ingest run, small CT (128x128). */
    smallInstances: number;
    associations: number[];
    /** Studies stored before the QIDO-RS searches. */
    studies: number;
    /** Instances of the series whose WADO-RS metadata is timed. */
    seriesSize: number;
    /** Searches per QIDO-RS query kind. */
    queries: number;
    targets: string[];
    variants: Record<string, VariantSpec>;
    out: string;
}

export function parseOptions(argv: string[]): BenchOptions {
    const quick = argv.includes("--quick");
    const options: BenchOptions = {
        quick,
        largeInstances: quick ? 40 : 2000,
        smallInstances: quick ? 80 : 2000,
        associations: quick ? [1, 4] : [1, 4, 8],
        studies: quick ? 60 : 10_000,
        seriesSize: quick ? 20 : 500,
        queries: quick ? 10 : 100,
        targets: ["a", "a-tls", "b", "c", "d"],
        variants: {},
        out: "",
    };
    for (let i = 0; i < argv.length; i++) {
        const flag = argv[i];
        const next = () => {
            const value = argv[++i];
            if (value === undefined) throw new Error(`${flag} needs a value`);
            return value;
        };
        const count = () => {
            const n = Number(next());
            if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer`);
            return n;
        };
        if (flag === "--quick") continue;
        else if (flag === "--instances") options.largeInstances = options.smallInstances = count();
        else if (flag === "--large-instances") options.largeInstances = count();
        else if (flag === "--small-instances") options.smallInstances = count();
        else if (flag === "--associations") options.associations = next().split(",").map(Number);
        else if (flag === "--studies") options.studies = count();
        else if (flag === "--series-size") options.seriesSize = count();
        else if (flag === "--queries") options.queries = count();
        else if (flag === "--targets") options.targets = next().split(",");
        else if (flag === "--out") options.out = resolve(next());
        else if (flag === "--variant") {
            const spec = next();
            const at = spec.indexOf("=");
            if (at < 1) throw new Error("--variant NAME=JSON");
            options.variants[spec.slice(0, at)] = JSON.parse(spec.slice(at + 1)) as VariantSpec;
        } else throw new Error(`unknown option ${flag}`);
    }
    if (options.associations.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--associations: positive integers, comma-separated");
    options.targets.push(...Object.keys(options.variants).filter((v) => !options.targets.includes(v)));
    return options;
}

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

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];

function log(message: string): void {
    process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

interface Datasets {
    large: SyntheticFile[];
    small: SyntheticFile[];
    population: SyntheticFile[];
    series: SyntheticFile[];
}

function makeDatasets(dir: string, options: BenchOptions): Datasets {
    const large = writeCtStudy(join(dir, "large"), { instances: options.largeInstances, perSeries: options.seriesSize, rows: 512, columns: 512 });
    const small = writeCtStudy(join(dir, "small"), { instances: options.smallInstances, perSeries: options.seriesSize, rows: 128, columns: 128 });
    const population = writeStudyPopulation(join(dir, "population"), options.studies);
    const series = writeCtStudy(join(dir, "series"), { instances: options.seriesSize, perSeries: options.seriesSize, rows: 512, columns: 512 });
    return { large, small, population, series };
}

/** A fresh, empty folder (PostgreSQL, running as `postgres`, must be able to traverse to its data folder). */
function freshDir(path: string): string {
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o711);
    return path;
}

interface Endpoint {
    association: Association;
    /** Instances indexed so far (undefined for storescp, checked from its output folder instead). */
    countInstances(): Promise<number>;
}

/** The ingest runs of one target: each dataset at each association count, with fresh SOP Instance UIDs per run. */
async function ingest(endpoint: Endpoint, data: Datasets, options: BenchOptions, after?: () => void): Promise<IngestRun[]> {
    const runs: IngestRun[] = [];
    for (const dataset of ["large", "small"] as const) {
        const files = data[dataset];
        for (const associations of options.associations) {
            const before = await endpoint.countInstances();
            // +IR: storescu invents new SOP Instance UIDs (and a new series every seriesSize images), so each run
            // stores new instances without regenerating files; every target gets exactly the same work.
            const result = await storeParallel(endpoint.association, files.map((f) => f.file), associations, { extraArgs: ["+IR", String(options.seriesSize)] });
            if (result.failed.length > 0 || result.acknowledged.length !== files.length) {
                const output = result.outcomes.find((o) => o.failed.length > 0)?.output ?? "";
                throw new Error(`${dataset} x${associations}: ${result.failed.length} C-STORE failed, ${result.acknowledged.length} acknowledged\n${output.slice(-3000)}`);
            }
            const stored = (await endpoint.countInstances()) - before;
            if (stored !== files.length) throw new Error(`${dataset} x${associations}: ${files.length} acknowledged but ${stored} new instances indexed`);
            const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
            const seconds = result.ms / 1000;
            const run: IngestRun = {
                dataset,
                associations,
                instances: files.length,
                bytes,
                seconds: round(seconds, 3),
                instancesPerSecond: round(files.length / seconds),
                megabytesPerSecond: round(bytes / 1e6 / seconds),
            };
            log(`  ${dataset.padEnd(5)} x${associations}: ${run.instancesPerSecond} inst/s, ${run.megabytesPerSecond} MB/s (${run.seconds} s)`);
            runs.push(run);
            after?.();
        }
    }
    return runs;
}

function storescpCount(dir: string): Promise<number> {
    return Promise.resolve(existsSync(dir) ? readdirSync(dir).length : 0);
}

async function benchStorescp(target: StorescpTarget, work: string, data: Datasets, options: BenchOptions, pki: TestPki): Promise<TargetResult> {
    const out = freshDir(join(work, `storescp-${target.id}`));
    const port = await freePort();
    const tls = target.tls ? ["+tls", pki.server.key, pki.server.cert, "+cf", pki.ca.cert, "--require-peer-cert"] : [];
    const proc: RunningProcess = startProcess(`bench-storescp-${target.id}`, requireBinary("storescp"), ["--fork", "-od", out, "-aet", "BOUND", ...tls, String(port)], {
        env: DCMTK_ENV(),
    });
    try {
        await waitFor(`storescp on ${port}`, () => tcpOpen(port), { process: proc });
        const association: Association = {
            port,
            calledAe: "BOUND",
            tls: target.tls ? { mode: "client", cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert } : { mode: "none" },
            timeoutSeconds: 60,
        };
        // storescp writes each file before it answers, so the folder counts what was acknowledged.
        const ingestRuns = await ingest({ association, countInstances: () => storescpCount(out) }, data, options, () => {
            rmSync(out, { recursive: true, force: true });
            mkdirSync(out);
        });
        return { id: target.id, label: target.label, description: target.description, tls: target.tls, ingest: ingestRuns };
    } finally {
        await proc.stop();
        rmSync(out, { recursive: true, force: true });
    }
}

async function timed<T>(action: () => Promise<T>): Promise<{ ms: number; value: T }> {
    const started = process.hrtime.bigint();
    const value = await action();
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

/** Worklist-style QIDO-RS study searches against the stored population. */
function qidoQueries(population: SyntheticFile[]): Record<string, () => string> {
    const pick = () => population[Math.floor(Math.random() * population.length)];
    return {
        PatientID: () => `/dicom-web/studies?PatientID=${pick().patientId}`,
        AccessionNumber: () => `/dicom-web/studies?AccessionNumber=${pick().accessionNumber}`,
        // Not percent-encoded: Orthanc 1.10 matches "%5E" literally instead of decoding it to "^".
        "PatientName prefix*": () => `/dicom-web/studies?PatientName=${pick().patientName.slice(0, -1)}*`,
        "StudyDate week, limit 25": () => {
            const day = pick().studyDate;
            const start = new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8))));
            const end = new Date(start.getTime() + 6 * 86_400_000);
            const fmt = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, "");
            return `/dicom-web/studies?StudyDate=${fmt(start)}-${fmt(end)}&limit=25`;
        },
    };
}

async function queryPhase(
    orthanc: OrthancServer,
    association: Association,
    data: Datasets,
    options: BenchOptions,
    postgres?: PostgresServer,
): Promise<Pick<TargetResult, "qido" | "wadoMetadata">> {
    const before = await countInstances(orthanc);
    const populated = await storeParallel(association, data.population.map((f) => f.file), 4);
    if (populated.failed.length > 0) throw new Error(`population: ${populated.failed.length} C-STORE failed\n${populated.outcomes[0].output.slice(-2000)}`);
    const series = await storeParallel(association, data.series.map((f) => f.file), 4);
    if (series.failed.length > 0) throw new Error(`series: ${series.failed.length} C-STORE failed`);
    const stored = (await countInstances(orthanc)) - before;
    if (stored !== data.population.length + data.series.length) throw new Error(`query phase: ${stored} instances indexed`);
    log(`  stored ${data.population.length} studies + a ${data.series.length}-instance series`);
    // Searches are timed on a settled database, as in production where autovacuum keeps up: right after a bulk
    // load PostgreSQL's statistics are stale and autovacuum/autoanalyze would run during the measurement.
    if (postgres) await postgres.sql("VACUUM ANALYZE", "orthanc");

    const accept = { Accept: "application/dicom+json" };
    const kinds: Record<string, LatencySummary> = {};
    const all: number[] = [];
    for (const [kind, query] of Object.entries(qidoQueries(data.population))) {
        for (let i = 0; i < 5; i++) await orthanc.request(query(), { headers: accept }); // warm-up
        const times: number[] = [];
        let answers = -1;
        let example = "";
        for (let i = 0; i < options.queries; i++) {
            const path = query();
            const { ms, value } = await timed(() => orthanc.request(path, { headers: accept }));
            if (value.status !== 200 && value.status !== 204) throw new Error(`QIDO ${path}: HTTP ${value.status} ${value.body.toString().slice(0, 500)}`);
            const found = value.status === 204 || value.body.length === 0 ? 0 : (JSON.parse(value.body.toString()) as unknown[]).length;
            if (found < 1) throw new Error(`QIDO ${path} found nothing`);
            if (answers < 0) {
                answers = found;
                example = path;
            }
            times.push(ms);
        }
        all.push(...times);
        times.sort((a, b) => a - b);
        kinds[kind] = { count: times.length, p50Ms: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)), maxMs: round(times[times.length - 1]), answers, example };
        log(`  QIDO ${kind}: p50 ${kinds[kind].p50Ms} ms, p95 ${kinds[kind].p95Ms} ms (${answers} answers)`);
    }
    all.sort((a, b) => a - b);
    const qido = { studiesStored: data.population.length, kinds, overall: { p50Ms: round(percentile(all, 50)), p95Ms: round(percentile(all, 95)) } };

    const first = data.series[0];
    const path = `/dicom-web/studies/${first.studyUid}/series/${first.seriesUid}/metadata`;
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
        const { ms, value } = await timed(() => orthanc.request(path, { headers: accept, timeoutMs: 300_000 }));
        if (value.status !== 200) throw new Error(`WADO-RS ${path}: HTTP ${value.status}`);
        const instances = (JSON.parse(value.body.toString()) as unknown[]).length;
        if (instances !== data.series.length) throw new Error(`WADO-RS metadata: ${instances} instances, expected ${data.series.length}`);
        times.push(ms);
    }
    const rest = times.slice(1).sort((a, b) => a - b);
    const wadoMetadata = { instances: data.series.length, firstMs: round(times[0]), p50Ms: round(percentile(rest, 50)), runs: times.length };
    log(`  WADO-RS metadata (${data.series.length} instances): first ${wadoMetadata.firstMs} ms, then p50 ${wadoMetadata.p50Ms} ms`);
    return { qido, wadoMetadata };
}

async function countInstances(orthanc: OrthancServer): Promise<number> {
    const answer = await orthanc.request("/statistics");
    if (answer.status !== 200) throw new Error(`/statistics: HTTP ${answer.status}`);
    return (JSON.parse(answer.body.toString()) as { CountInstances: number }).CountInstances;
}

async function orthancSoftware(orthanc: OrthancServer): Promise<Record<string, string>> {
    const system = JSON.parse((await orthanc.request("/system")).body.toString()) as { Version: string; DatabaseBackendPlugin: string | null };
    const software: Record<string, string> = { orthanc: system.Version, index: system.DatabaseBackendPlugin ? "PostgreSQL plugin" : "SQLite (built in)" };
    for (const id of (JSON.parse((await orthanc.request("/plugins")).body.toString()) as string[]).filter((p) => !p.endsWith(".js"))) {
        const plugin = JSON.parse((await orthanc.request(`/plugins/${id}`)).body.toString()) as { Version: string };
        software[`plugin ${id}`] = plugin.Version;
    }
    return software;
}

async function benchOrthanc(target: OrthancTarget, work: string, data: Datasets, options: BenchOptions, pki: TestPki): Promise<TargetResult> {
    const root = freshDir(join(work, `orthanc-${target.id}`));
    let postgres: PostgresServer | undefined;
    let orthanc: OrthancServer | undefined;
    try {
        const [httpPort, dicomPort, pgPort] = await Promise.all([freePort(), freePort(), freePort()]);
        let dbPassword = "";
        if (target.postgres) {
            postgres = await startPostgres({
                dir: join(root, "postgres"),
                port: pgPort,
                tls: { cert: pki.server.cert, key: pki.server.key },
                logName: `bench-postgres-${target.id}`,
                settings: target.postgres,
            });
            dbPassword = await postgres.createRoleAndDatabase("orthanc", "orthanc");
        }
        orthanc = await startOrthanc({
            production: target.config,
            credentials: renderOrthancCredentials({ bench: randomBytes(12).toString("hex") }),
            target: { root: join(root, "pod"), httpPort, dicomPort, database: { host: "127.0.0.1", port: pgPort }, pluginDir: DEBIAN_ORTHANC_PLUGIN_DIR },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            dbPassword,
            logName: `bench-orthanc-${target.id}`,
        });
        const server = orthanc;
        const software = await orthancSoftware(server);
        if (target.postgres && !/PostgreSQL/.test(software.index)) throw new Error(`${target.id}: Orthanc runs without its PostgreSQL index`);
        const association: Association = {
            port: dicomPort,
            calledAe: String(target.config.DicomAet ?? "ORTHANC"),
            tls: target.tls ? { mode: "client", cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert } : { mode: "none" },
            timeoutSeconds: 120,
        };
        const ingestRuns = await ingest({ association, countInstances: () => countInstances(server) }, data, options);
        const queries = await queryPhase(server, association, data, options, postgres);
        return {
            id: target.id,
            label: target.label,
            description: target.description,
            tls: target.tls,
            ingest: ingestRuns,
            ...queries,
            software,
            config: target.config,
            postgresSettings: target.postgres,
        };
    } finally {
        await orthanc?.stop();
        await postgres?.stop();
        rmSync(root, { recursive: true, force: true });
    }
}

function ratios(targets: TargetResult[]): Record<string, Record<string, number>> {
    const byId = new Map(targets.map((t) => [t.id, t]));
    const out: Record<string, Record<string, number>> = {};
    const pairs = [["d", "b"], ["d", "c"], ["c", "b"], ["b", "a"], ["d", "a-tls"], ["d", "d-before"], ["d-1conn", "d-before"], ["d", "d-1conn"], ["d-1conn", "b"]];
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

async function toolVersion(binary: string, args: string[], pattern: RegExp): Promise<string> {
    const result = await runTool(binary, args);
    return pattern.exec(result.output)?.[1] ?? result.output.trim().split("\n")[0];
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

async function main(argv: string[]): Promise<number> {
    const options = parseOptions(argv);
    const started = Date.now();
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    const outDir = options.out || join(BENCH_OUTPUT, stamp);
    mkdirSync(outDir, { recursive: true });
    ["openssl", "storescu", "storescp", "runuser"].forEach((tool) => requireBinary(tool));
    const catalogue = [...builtinTargets(), ...Object.entries(options.variants).map(([name, spec]) => variantTarget(name, spec))];
    const selected = options.targets.map((id) => {
        const target = catalogue.find((t) => t.id === id);
        if (!target) throw new Error(`unknown target ${id}; known: ${catalogue.map((t) => t.id).join(", ")}`);
        return target;
    });

    const loadAverageStart = loadavg().map((n) => round(n, 2));
    log(`load average ${loadAverageStart.join(" ")}, ${cpus().length} CPUs; output ${outDir}`);
    const work = freshDir(join(tmpdir(), `pacstack-bench-${process.pid}`));
    const stop = () => {
        void stopAllProcesses().finally(() => {
            rmSync(work, { recursive: true, force: true });
            process.exit(130);
        });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
        const pki = await createTestPki(join(work, "pki"));
        log("generating datasets");
        const data = makeDatasets(join(work, "data"), options);
        const results: TargetResult[] = [];
        for (const target of selected) {
            log(`(${target.id}) ${target.label}`);
            results.push(target.kind === "storescp" ? await benchStorescp(target, work, data, options, pki) : await benchOrthanc(target, work, data, options, pki));
        }
        const first = results.find((r) => r.software)?.software ?? {};
        const report: BenchReport = {
            generatedAt: new Date().toISOString(),
            command: `npm run bench -- ${argv.join(" ")}`.trim(),
            options: { ...options, out: undefined } as Omit<BenchOptions, "out">,
            machine: {
                cpuModel: cpus()[0]?.model ?? "unknown",
                cpus: cpus().length,
                memoryGiB: round(totalmem() / 2 ** 30),
                kernel: release(),
                node: process.version,
                loadAverageStart,
                loadAverageEnd: loadavg().map((n) => round(n, 2)),
            },
            software: {
                ...Object.fromEntries(Object.entries(first).filter(([k]) => k !== "index")),
                postgresql: await toolVersion(join(postgresBinDir(), "postgres"), ["--version"], /\(PostgreSQL\) (\S+)/),
                dcmtk: await toolVersion(requireBinary("storescu"), ["--version"], /storescu v(\S+)/),
            },
            datasets: Object.fromEntries(
                (["large", "small", "population", "series"] as const).map((k) => [
                    k,
                    { instances: data[k].length, rows: data[k][0].rows, columns: data[k][0].columns, bytesPerInstance: data[k][0].bytes },
                ]),
            ),
            targets: results,
            ratios: ratios(results),
            durationSeconds: Math.round((Date.now() - started) / 1000),
        };
        writeFileSync(join(outDir, "report.json"), JSON.stringify(report, null, 2) + "\n");
        writeFileSync(join(outDir, "summary.md"), summaryMarkdown(report));
        const svg = renderChart(report);
        writeFileSync(join(outDir, "throughput.svg"), svg);
        await svgToPng(join(outDir, "throughput.svg"), join(outDir, "throughput.png"), join(work, "chromium"));
        if (!options.out) {
            const link = join(BENCH_OUTPUT, `.latest-${process.pid}`);
            rmSync(link, { force: true });
            symlinkSync(stamp, link);
            renameSync(link, join(BENCH_OUTPUT, "latest"));
        }
        process.stdout.write(`\n${summaryMarkdown(report)}\nreport: ${join(outDir, "report.json")} (${report.durationSeconds} s)\n`);
        return 0;
    } finally {
        await stopAllProcesses();
        rmSync(work, { recursive: true, force: true });
    }
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

if (require.main === module) {
    const argv = process.argv.slice(2);
    const publishAt = argv.indexOf("--publish");
    const run = publishAt >= 0 ? Promise.resolve(publish(resolve(argv[publishAt + 1] ?? join(BENCH_OUTPUT, "latest")))).then(() => 0) : main(argv);
    run.then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(error instanceof Error ? error.stack ?? error.message : error);
            process.exit(1);
        },
    );
}
