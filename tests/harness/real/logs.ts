import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** Process logs of the real-software tests (test-output/ is gitignored). */
export const LOG_DIR = resolve(__dirname, "../../../test-output/real");
/** Runs whose logs are kept (older run folders are removed when a new run starts). */
const KEEP_RUNS = 10;

let runDir: string | undefined;
/**
 * test-output/real/<time>-<pid>/: one folder per test process, so concurrent runs never write into each
 * other's logs; test-output/real/latest points at the newest.
 */
export function runLogDir(): string {
    if (runDir) return runDir;
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    const name = `${stamp}-${process.pid}`;
    mkdirSync(join(LOG_DIR, name), { recursive: true });
    const runs = readdirSync(LOG_DIR).filter((d) => /^\d{8}-\d{6}-\d+$/.test(d)).sort();
    for (const old of runs.slice(0, Math.max(0, runs.length - KEEP_RUNS))) {
        if (old !== name) rmSync(join(LOG_DIR, old), { recursive: true, force: true });
    }
    const link = join(LOG_DIR, `.latest-${process.pid}`);
    rmSync(link, { force: true });
    symlinkSync(name, link);
    renameSync(link, join(LOG_DIR, "latest"));
    runDir = join(LOG_DIR, name);
    return runDir;
}

const opened = new Set<string>();

/** <run folder>/<name>.log, created the first time and appended to afterwards (restarts keep their history). */
export function openLog(name: string): { path: string; fd: number } {
    const path = join(runLogDir(), `${name}.log`);
    // A long run (npm run fuzz) outlives KEEP_RUNS later runs, which remove its folder: make it again.
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, opened.has(path) ? "a" : "w");
    opened.add(path);
    return { path, fd };
}

/** The last lines of a log, for failure messages. */
export function logTail(path: string, lines = 40): string {
    if (!existsSync(path)) return `(no log at ${path})`;
    const all = readFileSync(path, "utf8").trimEnd().split("\n");
    return `--- last ${Math.min(lines, all.length)} lines of ${path} ---\n${all.slice(-lines).join("\n")}`;
}

/** Current size of a log, to read only what a test step adds (see logSince). */
export function logOffset(path: string): number {
    return existsSync(path) ? readFileSync(path).length : 0;
}

/** What a log gained after `offset`. */
export function logSince(path: string, offset: number): string {
    return existsSync(path) ? readFileSync(path).subarray(offset).toString("utf8") : "";
}
