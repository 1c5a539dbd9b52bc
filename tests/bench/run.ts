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
import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { renderOrthancCredentials } from "../../components/orthanc/config";
import { postgresBinDir, requireBinary } from "../harness/real/binaries";
import { Association, DCMTK_ENV } from "../harness/real/dicom";
import { OrthancServer, startOrthanc } from "../harness/real/orthanc";
import { BenchTierId, CUSTOM_TIER_ID, customTier, ORTHANC_TIER_IDS, orthancTier, OrthancTier, OrthancTierId, tierWorkDir } from "../harness/real/orthanc-tiers";
import { createTestPki, TestPki } from "../harness/real/pki";
import { PostgresServer, startPostgres } from "../harness/real/postgres";
import { freePort, RunningProcess, startProcess, stopAllProcesses, tcpOpen, waitFor } from "../harness/real/processes";
import { storeParallel } from "../harness/real/scu";
import { SyntheticFile, writeCtStudy, writeStudyPopulation } from "../harness/real/synthetic";
import { runTool } from "../harness/real/tools";
import { renderChart, svgToPng } from "./chart";
import { countInstances, queryPhase } from "./queries";
import { BenchReport, IngestRun, log, publish, ratios, round, summaryMarkdown, TargetResult, tierTargetId } from "./report";
export { tierTargetId } from "./report";
import { runEdgeBench } from "./edge";
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
    /** Orthanc builds every Orthanc target runs on, side by side (tests/harness/real/orthanc-tiers.ts). */
    orthancTiers: BenchTierId[];
    /** The `custom` tier: an Orthanc binary and the folder holding its plugins (absolute paths). */
    custom?: { binary: string; pluginDir: string };
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
        orthancTiers: ["debian12"],
        variants: {},
        out: "",
    };
    const customPaths: { binary?: string; pluginDir?: string } = {};
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
        else if (flag === "--orthanc") options.orthancTiers = next().split(",") as BenchTierId[];
        else if (flag === "--orthanc-binary") customPaths.binary = resolve(next());
        else if (flag === "--plugins") customPaths.pluginDir = resolve(next());
        else if (flag === "--out") options.out = resolve(next());
        else if (flag === "--variant") {
            const spec = next();
            const at = spec.indexOf("=");
            if (at < 1) throw new Error("--variant NAME=JSON");
            options.variants[spec.slice(0, at)] = JSON.parse(spec.slice(at + 1)) as VariantSpec;
        } else throw new Error(`unknown option ${flag}`);
    }
    if (options.associations.some((n) => !Number.isInteger(n) || n < 1)) throw new Error("--associations: positive integers, comma-separated");
    const known: BenchTierId[] = [...ORTHANC_TIER_IDS, CUSTOM_TIER_ID];
    const unknownTier = options.orthancTiers.find((t) => !known.includes(t));
    if (unknownTier !== undefined || options.orthancTiers.length === 0) throw new Error(`--orthanc: comma-separated, of ${known.join(", ")}`);
    if ((customPaths.binary === undefined) !== (customPaths.pluginDir === undefined)) {
        throw new Error("--orthanc-binary and --plugins go together: the custom build's Orthanc binary and the folder of its plugins");
    }
    if (customPaths.binary !== undefined && customPaths.pluginDir !== undefined) {
        options.custom = { binary: customPaths.binary, pluginDir: customPaths.pluginDir };
        if (!options.orthancTiers.includes(CUSTOM_TIER_ID)) options.orthancTiers.push(CUSTOM_TIER_ID);
    } else if (options.orthancTiers.includes(CUSTOM_TIER_ID)) throw new Error(`--orthanc ${CUSTOM_TIER_ID} needs --orthanc-binary PATH --plugins DIR`);
    options.targets.push(...Object.keys(options.variants).filter((v) => !options.targets.includes(v)));
    return options;
}

export interface Datasets {
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

async function orthancSoftware(orthanc: OrthancServer): Promise<Record<string, string>> {
    const system = JSON.parse((await orthanc.request("/system")).body.toString()) as { Version: string; DatabaseBackendPlugin: string | null };
    const software: Record<string, string> = { orthanc: system.Version, index: system.DatabaseBackendPlugin ? "PostgreSQL plugin" : "SQLite (built in)" };
    for (const id of (JSON.parse((await orthanc.request("/plugins")).body.toString()) as string[]).filter((p) => !p.endsWith(".js"))) {
        const plugin = JSON.parse((await orthanc.request(`/plugins/${id}`)).body.toString()) as { Version: string };
        software[`plugin ${id}`] = plugin.Version;
    }
    return software;
}


async function benchOrthanc(target: OrthancTarget, tier: OrthancTier, work: string, data: Datasets, options: BenchOptions, pki: TestPki): Promise<TargetResult> {
    const id = tierTargetId(target.id, tier.id);
    const root = freshDir(join(work, `orthanc-${id.replace("@", "-")}`));
    const pods = tierWorkDir(tier, `pacstack-bench-${id.replace("@", "-")}-`);
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
                logName: `bench-postgres-${id}`,
                settings: target.postgres,
            });
            dbPassword = await postgres.createRoleAndDatabase("orthanc", "orthanc");
        }
        orthanc = await startOrthanc({
            production: target.config,
            credentials: renderOrthancCredentials({ bench: randomBytes(12).toString("hex") }),
            target: { root: join(pods, "pod"), httpPort, dicomPort, database: { host: "127.0.0.1", port: pgPort }, tier },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            dbPassword,
            logName: `bench-orthanc-${id}`,
        });
        const server = orthanc;
        const software = await orthancSoftware(server);
        if (target.postgres && !/PostgreSQL/.test(software.index)) throw new Error(`${id}: Orthanc runs without its PostgreSQL index`);
        const association: Association = {
            port: dicomPort,
            calledAe: String(target.config.DicomAet ?? "ORTHANC"),
            tls: target.tls ? { mode: "client", cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert } : { mode: "none" },
            timeoutSeconds: 120,
        };
        const ingestRuns = await ingest({ association, countInstances: () => countInstances(server) }, data, options);
        const queries = await queryPhase(server, association, data, options, postgres);
        return {
            id,
            label: `${target.label}, ${tier.title}`,
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
        for (const dir of [root, pods]) rmSync(dir, { recursive: true, force: true });
    }
}

async function toolVersion(binary: string, args: string[], pattern: RegExp): Promise<string> {
    const result = await runTool(binary, args);
    return pattern.exec(result.output)?.[1] ?? result.output.trim().split("\n")[0];
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
        const { custom } = options;
        const tiers = options.orthancTiers.map((id) => (id === CUSTOM_TIER_ID && custom ? customTier(custom.binary, custom.pluginDir) : orthancTier(id as OrthancTierId)));
        for (const target of selected) {
            if (target.kind === "storescp") {
                log(`(${target.id}) ${target.label}`);
                results.push(await benchStorescp(target, work, data, options, pki));
                continue;
            }
            for (const tier of tiers) {
                log(`(${tierTargetId(target.id, tier.id)}) ${target.label}, ${tier.title}`);
                results.push(await benchOrthanc(target, tier, work, data, options, pki));
            }
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

if (require.main === module) {
    const argv = process.argv.slice(2);
    const publishAt = argv.indexOf("--publish");
    const run = publishAt >= 0 ? Promise.resolve(publish(resolve(argv[publishAt + 1] ?? join(BENCH_OUTPUT, "latest")))).then(() => 0) : argv.includes("--edge") ? runEdgeBench(argv) : main(argv);
    run.then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(error instanceof Error ? error.stack ?? error.message : error);
            process.exit(1);
        },
    );
}
