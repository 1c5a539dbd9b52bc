import { spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requireBinary } from "./binaries";
import { Association, associationArgs, DCMTK_ENV } from "./dicom";

/** What one storescu process (one association) reported, file by file. */
export interface StoreOutcome {
    /** Exit code; -1 when killed. */
    code: number;
    /** Files whose C-STORE response was Success, in sending order (what the SCP acknowledged). */
    acknowledged: string[];
    /** Files for which a non-success response (or none) was received. */
    failed: string[];
    output: string;
}

export interface ParallelStoreResult {
    /** Wall-clock time from the first spawn to the last exit, in milliseconds. */
    ms: number;
    outcomes: StoreOutcome[];
    acknowledged: string[];
    failed: string[];
}

/** Splits `files` into `n` contiguous, nearly equal slices. */
export function slices<T>(files: T[], n: number): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < n; i++) out.push(files.slice(Math.floor((i * files.length) / n), Math.floor(((i + 1) * files.length) / n)));
    return out.filter((s) => s.length > 0);
}

/**
 * One storescu association sending `files`, in verbose mode so every acknowledged file can be told apart
 * (`Sending file: F` ... `Received Store Response (Success)`). Never throws on failure: callers assert.
 */
export function storeFiles(a: Association, files: string[], options: { extraArgs?: string[]; timeoutMs?: number } = {}): Promise<StoreOutcome> {
    const args = ["-v", "-nh", ...associationArgs(a), ...(options.extraArgs ?? []), "127.0.0.1", String(a.port), ...files];
    // stdout and stderr into one file: two pipes could reorder "Sending file" and "Received Store Response" lines.
    const dir = mkdtempSync(join(tmpdir(), "pacstack-storescu-"));
    const logFile = join(dir, "storescu.log");
    const fd = openSync(logFile, "w");
    return new Promise((done, fail) => {
        const child = spawn(requireBinary("storescu"), args, { env: DCMTK_ENV(), stdio: ["ignore", fd, fd] });
        closeSync(fd);
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
        const read = () => {
            const output = readFileSync(logFile, "utf8");
            rmSync(dir, { recursive: true, force: true });
            return output;
        };
        child.once("error", (e) => {
            clearTimeout(timer);
            rmSync(dir, { recursive: true, force: true });
            fail(e);
        });
        child.once("close", (code) => {
            clearTimeout(timer);
            const output = read();
            done({ code: code ?? -1, output, ...parseStoreLog(output, files) });
        });
    });
}

/** Reads storescu -v output: which files got a successful C-STORE response. */
export function parseStoreLog(output: string, files: string[]): { acknowledged: string[]; failed: string[] } {
    const acknowledged: string[] = [];
    const failed: string[] = [];
    let current: string | undefined;
    for (const line of output.split("\n")) {
        const sending = /Sending file: (.+)$/.exec(line);
        if (sending) {
            if (current) failed.push(current);
            current = sending[1].trim();
            continue;
        }
        const response = /Received Store Response \((.+)\)/.exec(line);
        if (response && current) {
            // "Success", or a warning status (e.g. coercion) which still means the instance was stored.
            if (/^(Success|Warning)/i.test(response[1])) acknowledged.push(current);
            else failed.push(current);
            current = undefined;
        }
    }
    if (current) failed.push(current);
    const ok = new Set(acknowledged);
    const notOk = new Set(failed.filter((f) => !ok.has(f)));
    // A file never sent (the association broke before it) was not acknowledged either.
    for (const f of files) if (!ok.has(f)) notOk.add(f);
    return { acknowledged: [...ok], failed: [...notOk] };
}

/** `associations` storescu processes at once, each sending its slice of `files` on one association. */
export async function storeParallel(
    a: Association,
    files: string[],
    associations: number,
    options: { extraArgs?: string[]; timeoutMs?: number } = {},
): Promise<ParallelStoreResult> {
    const started = process.hrtime.bigint();
    const outcomes = await Promise.all(slices(files, associations).map((slice) => storeFiles(a, slice, options)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return {
        ms,
        outcomes,
        acknowledged: outcomes.flatMap((o) => o.acknowledged),
        failed: outcomes.flatMap((o) => o.failed),
    };
}
