import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { OrthancServer } from "../real/orthanc";
import { OrthancStack } from "../real/orthanc-stack";
import { httpStatus } from "../real/processes";
import { HostileCase, Route } from "./corpus";
import { rawStore, RawStoreOutcome } from "./dimse";

/**
 * The Orthanc under hostile input, supervised as the kubelet would: a process that exits is started again (the
 * restart counted), and one that stops answering its liveness route is killed and started again (counted too).
 */
export interface HostileTarget {
    stack: OrthancStack;
    restarts: number;
    /** Why each restart happened: "<case>@<route>: exited during upload" and the like. */
    events: string[];
    /** The instances stored before any case (runCase deletes what a case adds); listed anew for each case when unset. */
    baseline?: Set<string>;
}

/**
 * stored: stored, and every read answered; not-stored: refused or ignored; waits: no answer, while the server still
 * answers others (the answer text says how much CPU Orthanc used meanwhile); hang: the server stopped answering;
 * crash-on-upload / crash-on-read: the process died (and was started again).
 */
export type Outcome = "stored" | "not-stored" | "waits" | "hang" | "crash-on-upload" | "crash-on-read";

export interface CaseResult {
    name: string;
    route: Route;
    outcome: Outcome;
    /** What the route answered: "http 400", "dicom status 0xa900", "no answer" ... */
    answer: string;
    /** Reads that killed the server or got no answer. */
    failedReads: string[];
    /** Orthanc's identifiers of the instances the case added. */
    stored: string[];
}

/**
 * The raw sender releases the association right behind the data, so a receiver answers at once or never: a C-STORE
 * without an answer after this holds its association (see README, "Hostile input").
 */
const DICOM_TIMEOUT_MS = 45_000;
const orthanc = (t: HostileTarget): OrthancServer => t.stack.orthanc;

/** CPU seconds the Orthanc process has used (utime + stime of /proc/PID/stat), 0 when it is gone. */
export function cpuSeconds(t: HostileTarget): number {
    try {
        const fields = readFileSync(`/proc/${orthanc(t).process.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
        return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
        return 0;
    }
}

/** True when the process runs and /system answers within `ms`. */
async function answers(t: HostileTarget, ms = 5_000): Promise<boolean> {
    const o = orthanc(t);
    if (!o.process.isRunning()) return false;
    const authorization = `Basic ${Buffer.from(o.user.join(":")).toString("base64")}`;
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
        if (!o.process.isRunning()) return false;
        if ((await httpStatus(o.httpPort, "/system", { Authorization: authorization })) === 200) return true;
        await new Promise((done) => setTimeout(done, 200));
    }
    return false;
}

/**
 * The kubelet's part: an exited process is started again; a running one that does not answer /system is killed
 * and started again. Returns what happened ("exited", "stuck") or undefined when the server was fine.
 */
export async function supervise(t: HostileTarget, why: string): Promise<"exited" | "stuck" | undefined> {
    const o = orthanc(t);
    if (o.process.isRunning() && (await answers(t))) return undefined;
    const what = o.process.isRunning() ? "stuck" : "exited";
    if (what === "stuck") await o.kill9();
    const { code, signal } = await o.process.exited;
    t.restarts++;
    t.events.push(`${why}: ${what} (${signal ?? `code ${code}`})`);
    await o.start();
    return what;
}

/** instanceIds, once more after supervision when the server went away in between (it may crash a moment late). */
async function listAgain(t: HostileTarget, key: string): Promise<Set<string>> {
    try {
        return await instanceIds(t);
    } catch {
        await supervise(t, `${key}: GET /instances`);
        return instanceIds(t);
    }
}

export async function instanceIds(t: HostileTarget): Promise<Set<string>> {
    const answer = await orthanc(t).request("/instances", { timeoutMs: 20_000 });
    if (answer.status !== 200) throw new Error(`GET /instances: ${answer.status}`);
    return new Set(JSON.parse(answer.body.toString()) as string[]);
}

function stowBody(file: Buffer): { body: Buffer; contentType: string } {
    const boundary = `pacstack-${randomBytes(8).toString("hex")}`;
    const body = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
        file,
        Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    return { body, contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

const describeRaw = (o: RawStoreOutcome): string =>
    o.kind === "status" ? `dicom status 0x${o.status.toString(16).padStart(4, "0")}` : o.kind === "rejected" ? `dicom rejected (${o.reason})` : `dicom ${o.kind}`;

/** Sends one case over one route; the answer, or "no answer" when nothing came back within `timeoutMs`. */
export async function send(t: HostileTarget, c: HostileCase, route: Route, timeoutMs: number): Promise<string> {
    const o = orthanc(t);
    try {
        if (route === "rest") {
            const answer = await o.request("/instances", { method: "POST", body: c.file, timeoutMs });
            return `http ${answer.status}`;
        }
        if (route === "stow") {
            const { body, contentType } = stowBody(c.file);
            const answer = await o.request("/dicom-web/studies", { method: "POST", body, headers: { "Content-Type": contentType, Accept: "application/dicom+json" }, timeoutMs });
            return `http ${answer.status}`;
        }
        const a = t.stack.association();
        if (a.tls.mode !== "client") throw new Error("the hostile target needs a client certificate");
        const outcome = await rawStore({
            port: a.port,
            calledAe: a.calledAe,
            callingAe: "PACSTACKTEST",
            tls: { cert: a.tls.cert, key: a.tls.key, ca: a.tls.ca },
            sopClass: c.network.sopClass,
            sopUid: c.network.sopUid,
            transferSyntax: c.network.transferSyntax,
            dataset: c.network.dataset,
            timeoutMs,
        });
        return outcome.kind === "timeout" ? "no answer" : describeRaw(outcome);
    } catch (error) {
        return /timed out/.test(String(error)) ? "no answer" : `error ${(error as Error).message.slice(0, 80)}`;
    }
}

/** The reads a viewer or client makes of a stored instance: its tags, QIDO-RS at each level, WADO-RS metadata, a rendered frame. */
export async function readPaths(t: HostileTarget, id: string): Promise<string[]> {
    const o = orthanc(t);
    const json = async (path: string) => {
        const answer = await o.request(path).catch(() => undefined);
        return answer?.status === 200 ? (JSON.parse(answer.body.toString()) as Record<string, any>) : undefined;
    };
    const instance = await json(`/instances/${id}`);
    const series = instance && (await json(`/series/${instance.ParentSeries}`));
    const study = series && (await json(`/studies/${series.ParentStudy}`));
    const reads = [`/instances/${id}/tags`];
    const [studyUid, seriesUid, sopUid] = [study?.MainDicomTags?.StudyInstanceUID, series?.MainDicomTags?.SeriesInstanceUID, instance?.MainDicomTags?.SOPInstanceUID];
    if (studyUid && seriesUid && sopUid) {
        const e = encodeURIComponent;
        const s = `/dicom-web/studies/${e(studyUid)}`;
        reads.push(
            `/dicom-web/studies?StudyInstanceUID=${e(studyUid)}`,
            `${s}/series`,
            `${s}/series/${e(seriesUid)}/instances`,
            `${s}/metadata`,
            `${s}/series/${e(seriesUid)}/metadata`,
            `${s}/series/${e(seriesUid)}/instances/${e(sopUid)}/frames/1/rendered`,
        );
    }
    return reads;
}

/**
 * One case over one route, then the checks: the server is supervised after the upload and after each read of
 * what was stored; stored instances are deleted afterwards (unless `keep`), so the next case starts clean.
 */
export async function runCase(
    t: HostileTarget,
    c: HostileCase,
    route: Route,
    options: { timeoutMs?: number; keep?: boolean; everyRead?: boolean } = {},
): Promise<CaseResult> {
    const key = `${c.name}@${route}`;
    const before = t.baseline ?? (await instanceIds(t));
    const [cpuBefore, sent] = [cpuSeconds(t), Date.now()];
    let answer = await send(t, c, route, route === "dicom" ? DICOM_TIMEOUT_MS : options.timeoutMs ?? 10_000);
    // How busy Orthanc was while the client waited in vain: information only, it depends on the machine's load.
    if (answer === "no answer") answer += ` (Orthanc used ${(cpuSeconds(t) - cpuBefore).toFixed(1)} CPU s in ${((Date.now() - sent) / 1000).toFixed(0)} s)`;
    const afterUpload = await supervise(t, `${key}: upload`);
    const result: CaseResult = { name: c.name, route, outcome: "not-stored", answer, failedReads: [], stored: [] };
    if (afterUpload === "exited") result.outcome = "crash-on-upload";
    else if (afterUpload === "stuck") result.outcome = "hang";
    else if (answer.startsWith("no answer")) result.outcome = "waits";
    result.stored = [...(await listAgain(t, key))].filter((id) => !before.has(id));
    for (const id of result.stored) {
        for (const path of await readPaths(t, id)) {
            const read = await orthanc(t).request(path, { timeoutMs: options.timeoutMs ?? 10_000 }).then((a) => `${a.status}`, () => "no answer");
            // A read that answered leaves a running server: only a dead process or a silent read needs the full check.
            const trouble = read !== "no answer" && orthanc(t).process.isRunning() ? undefined : await supervise(t, `${key}: GET ${path}`);
            if (trouble || read === "no answer") result.failedReads.push(`${path.replace(/\/[0-9a-f-]{44}|[0-9.]{20,}/g, "/…")} (${trouble ?? read})`);
            // One crashing read proves the poison; the others would only cost restarts (unless every read is asked for).
            if (trouble === "exited" && !options.everyRead) break;
        }
    }
    if (result.stored.length > 0 && result.outcome === "not-stored") result.outcome = result.failedReads.length > 0 ? "crash-on-read" : "stored";
    if (!options.keep) for (const id of result.stored) await orthanc(t).request(`/instances/${id}`, { method: "DELETE" }).catch(() => supervise(t, `${key}: DELETE`));
    return result;
}
