import { accessSync, constants, existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Every real-software test fails (never skips) when a tool is missing, and says how to get it. */
export const INSTALL_HINT = "install the Debian packages listed in .ci/run";

export const DEBIAN_ORTHANC_BINARY = "/usr/sbin/Orthanc";
export const DEBIAN_ORTHANC_PLUGIN_DIR = "/usr/share/orthanc/plugins";

function missing(what: string): never {
    throw new Error(`real-software test: ${what} not found; ${INSTALL_HINT}`);
}

function isExecutable(file: string): boolean {
    try {
        accessSync(file, constants.X_OK);
        return true;
    } catch {
        return false;
    }
}

/** Absolute path of an executable on PATH (or the given absolute path), or a clear failure. */
export function requireBinary(name: string): string {
    if (name.startsWith("/")) {
        return isExecutable(name) ? name : missing(name);
    }
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
        if (dir && isExecutable(join(dir, name))) {
            return join(dir, name);
        }
    }
    return missing(`\`${name}\` (on PATH)`);
}

export function requireFile(file: string): string {
    return existsSync(file) ? file : missing(file);
}

/** First existing match of `<prefix><entry><suffix>` over the entries of a folder, newest name first. */
function globOne(prefixDir: string, entryPattern: RegExp, suffix: string): string | undefined {
    if (!existsSync(prefixDir)) {
        return undefined;
    }
    const entries = readdirSync(prefixDir)
        .filter((e) => entryPattern.test(e))
        .sort((a, b) => b.localeCompare(a, "en", { numeric: true }));
    return entries.map((e) => join(prefixDir, e, suffix)).find((f) => existsSync(f));
}

/** /usr/lib/postgresql/<version>/bin (the newest installed version). */
export function postgresBinDir(): string {
    const dir = globOne("/usr/lib/postgresql", /^\d+$/, "bin");
    return dir && isExecutable(join(dir, "postgres")) ? dir : missing("/usr/lib/postgresql/*/bin/postgres");
}

/** pydicom's sample CT image (python3-pydicom). */
export function ctSmallSample(): string {
    return (
        globOne("/usr/lib", /^python3(\.\d+)?$/, "dist-packages/pydicom/data/test_files/CT_small.dcm") ??
        missing("/usr/lib/python3*/dist-packages/pydicom/data/test_files/CT_small.dcm")
    );
}

/**
 * Debian's Chromium as root on a machine without network: no sandbox, no GPU, no background traffic. Each caller
 * adds a new empty profile (--user-data-dir, or playwright's own).
 */
export const HEADLESS_CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];
