/** The bench's search phase: a study population, then timed QIDO-RS searches and WADO-RS metadata reads. */
import { Association } from "../harness/real/dicom";
import { OrthancServer } from "../harness/real/orthanc";
import { PostgresServer } from "../harness/real/postgres";
import { storeParallel } from "../harness/real/scu";
import { SyntheticFile } from "../harness/real/synthetic";
import { LatencySummary, TargetResult, log, percentile, round } from "./report";
import type { BenchOptions, Datasets } from "./run";

export async function timed<T>(action: () => Promise<T>): Promise<{ ms: number; value: T }> {
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

export async function queryPhase(
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

export async function countInstances(orthanc: OrthancServer): Promise<number> {
    const answer = await orthanc.request("/statistics");
    if (answer.status !== 200) throw new Error(`/statistics: HTTP ${answer.status}`);
    return (JSON.parse(answer.body.toString()) as { CountInstances: number }).CountInstances;
}
