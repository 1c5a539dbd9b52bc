import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lchownSync, lstatSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve, sep } from "node:path";
import { DEBIAN_ORTHANC_BINARY, DEBIAN_ORTHANC_PLUGIN_DIR, requireBinary, requireFile } from "./binaries";

/**
 * The Orthanc builds the real-software tests run, each a Debian package:
 * - `debian12`: the machine's own Debian 12 Orthanc (1.10.1, DICOMweb 1.7, PostgreSQL plugin 4.0, GDCM 1.5);
 * - `sid`: the newest Orthanc Debian publishes (1.13.0, DICOMweb 1.24, PostgreSQL plugin 5.0, GDCM 1.8), installed in
 *   a debootstrap folder that tests/tools/orthanc-sid/build.sh builds once into a cache outside the repository, and
 *   run there with `chroot --userspec=nobody:nogroup`. It shares the machine's loopback, so it reaches the
 *   PostgreSQL and dcmtk the tests start outside.
 * The image pacstack deploys carries Orthanc 1.12.11: every key pacstack renders meets a version at least as new
 * on the `sid` tier.
 */
export type OrthancTierId = "debian12" | "sid";
export const ORTHANC_TIER_IDS: readonly OrthancTierId[] = ["debian12", "sid"];
/**
 * A build given by its paths (`npm run bench -- --orthanc-binary PATH --plugins DIR`), e.g. Orthanc and its plugins
 * built by hand from their sources; only the bench runs it, never a test.
 */
export const CUSTOM_TIER_ID = "custom";
export type BenchTierId = OrthancTierId | typeof CUSTOM_TIER_ID;

export interface OrthancTier {
    id: BenchTierId;
    /** Folder Orthanc runs in: "/" for the machine's own, the debootstrap folder for sid. */
    rootDir: string;
    /** Paths as Orthanc sees them (inside rootDir). */
    binary: string;
    pluginDir: string;
    /** Debian package versions, e.g. { orthanc: "1.13.0+dfsg-1+b1", "orthanc-dicomweb": ... }. */
    packages: Record<string, string>;
    /** Upstream Orthanc version, e.g. "1.13.0". */
    version: string;
    /** "Orthanc 1.13.0 (Debian sid)" */
    title: string;
    /** Top-level keys of pacstack's configuration left out of this tier's (keysNewerThan), sorted. */
    droppedKeys: string[];
    /** Owner Orthanc runs as (chroot --userspec); undefined: the test's own user. */
    runAs?: { uid: number; gid: number; spec: string };
}

/**
 * The only keys loopbackOrthancConfig may leave out, each with the Orthanc version that introduced it: a tier older
 * than that runs without the key. Orthanc ignores a key it does not know, so keeping these would make a 1.10.1 run
 * look as if it applied a TLS policy it cannot apply; without them the configuration says what that Orthanc does
 * (DCMTK's own BCP 195 profile), and tests/orthanc/dicom-tls.real.test.ts records what it accepts.
 * Other keys newer than 1.10.1 stay in (MaximumRequestBodySizeMB, PostgreSQL.TransactionMode): their tests prove
 * that the old version ignores them.
 */
export const keysNewerThan: ReadonlyArray<{ key: string; since: string }> = [
    { key: "DicomTlsCiphersAccepted", since: "1.12.4" },
    { key: "DicomTlsMinimumProtocolVersion", since: "1.12.4" },
    { key: "MaximumStorageMode", since: "1.11.2" },
    // Older than MaximumStorageMode, but without its Reject an Orthanc at the ceiling deletes the oldest patients.
    { key: "MaximumStorageSize", since: "1.11.2" },
];

/** a < b for dotted versions ("1.10.1" < "1.12.4"). */
export function versionBefore(a: string, b: string): boolean {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0);
    return false;
}

/** The keys of keysNewerThan that an Orthanc of this version predates, sorted. */
function keysPredatedBy(version: string): string[] {
    return keysNewerThan.filter(({ since }) => versionBefore(version, since)).map(({ key }) => key).sort();
}

const SID_BUILD_SCRIPT = resolve(__dirname, "../../tools/orthanc-sid/build.sh");
const ORTHANC_PACKAGES = ["orthanc", "orthanc-dicomweb", "orthanc-postgresql", "orthanc-gdcm", "orthanc-webviewer", "orthanc-wsi", "orthanc-neuro"];
const NOBODY = { uid: 65534, gid: 65534, spec: "nobody:nogroup" };

/** Installed versions of the Orthanc packages in a Debian root (its dpkg status file). */
function installedPackages(rootDir: string): Record<string, string> {
    const status = readFileSync(join(rootDir, "var/lib/dpkg/status"), "utf8");
    const found: Record<string, string> = {};
    for (const block of status.split(/\n\n+/)) {
        const name = /^Package: (.+)$/m.exec(block)?.[1];
        const version = /^Version: (.+)$/m.exec(block)?.[1];
        const installed = /^Status: .* installed$/m.test(block);
        if (name && version && installed && ORTHANC_PACKAGES.includes(name)) found[name] = version;
    }
    return found;
}

function tier(id: OrthancTierId, rootDir: string, title: string, runAs?: OrthancTier["runAs"]): OrthancTier {
    const packages = installedPackages(rootDir);
    if (!packages.orthanc) throw new Error(`no orthanc package installed in ${rootDir}`);
    const version = packages.orthanc.replace(/^\d+:/, "").replace(/[+~-].*$/, "");
    return {
        id,
        rootDir,
        binary: DEBIAN_ORTHANC_BINARY,
        pluginDir: DEBIAN_ORTHANC_PLUGIN_DIR,
        packages,
        version,
        title: `Orthanc ${version} (${title})`,
        droppedKeys: keysPredatedBy(version),
        runAs,
    };
}

const resolved = new Map<OrthancTierId, OrthancTier>();

/**
 * The tier's Orthanc, ready to run; the sid folder is built on first use (about 2 minutes, then cached). Fails
 * (never skips) when a package is missing.
 */
export function orthancTier(id: OrthancTierId): OrthancTier {
    const known = resolved.get(id);
    if (known) return known;
    let result: OrthancTier;
    if (id === "debian12") {
        requireBinary(DEBIAN_ORTHANC_BINARY);
        result = tier(id, "/", "Debian 12");
    } else {
        ["debootstrap", "chroot", "flock"].forEach((tool) => requireBinary(tool));
        const rootDir = execFileSync("bash", [SID_BUILD_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 15 * 60_000 }).trim();
        requireFile(join(rootDir, DEBIAN_ORTHANC_BINARY.slice(1)));
        result = tier(id, rootDir, "Debian sid", NOBODY);
    }
    resolved.set(id, result);
    return result;
}

/** The Orthanc version a binary reports: `Orthanc --version` starts with "<its path> <version>", e.g. "/x/Orthanc 1.12.11". */
export function parseOrthancVersion(output: string): string {
    const version = /^.*\s(\d+\.\d+\.\d+|mainline)\s*$/.exec(output.split("\n")[0])?.[1];
    if (!version) throw new Error(`no Orthanc version on the first line of ${JSON.stringify(output.slice(0, 200))}`);
    return version;
}

/** A custom build on this machine: the binary and the folder of its plugins, run as the test's own user. */
export function customTier(binary: string, pluginDir: string): OrthancTier {
    requireBinary(binary);
    requireFile(pluginDir);
    const version = parseOrthancVersion(execFileSync(binary, ["--version"], { encoding: "utf8", timeout: 30_000 }));
    const title = `Orthanc ${version} (custom build)`;
    return { id: CUSTOM_TIER_ID, rootDir: "/", binary, pluginDir, packages: {}, version, title, droppedKeys: keysPredatedBy(version) };
}

/** Host path of a path inside the tier's root. */
export function hostPath(tier: OrthancTier, inside: string): string {
    return tier.rootDir === "/" ? inside : join(tier.rootDir, inside);
}

/** The path Orthanc sees for a host path (which must lie inside the tier's root). */
export function insidePath(tier: OrthancTier, host: string): string {
    if (tier.rootDir === "/") return host;
    const rel = relative(tier.rootDir, host);
    if (rel.startsWith("..") || rel.startsWith(sep)) throw new Error(`${host} is outside the ${tier.id} root ${tier.rootDir}`);
    return `/${rel}`;
}

/**
 * A new folder for the pods' filesystem roots (LoopbackTarget.root) that the tier's Orthanc can reach: inside its
 * root for a chrooted tier. Everything else of a test (PostgreSQL, certificates, DICOM files) stays in the test's
 * own temporary folder: PostgreSQL's socket path would be too long here.
 */
export function tierWorkDir(tier: OrthancTier, prefix: string): string {
    const base = tier.rootDir === "/" ? tmpdir() : hostPath(tier, "/tmp");
    const dir = mkdtempSync(join(base, prefix));
    chmodSync(dir, 0o711); // PostgreSQL (user postgres) and a chrooted Orthanc (nobody) reach their folders inside
    return dir;
}

/** The command line that starts `binary args` as the tier runs Orthanc. */
export function tierCommand(tier: OrthancTier, binary: string, args: string[]): { command: string; args: string[] } {
    if (tier.rootDir === "/") return { command: binary, args };
    return { command: requireBinary("chroot"), args: [`--userspec=${tier.runAs?.spec ?? "root"}`, tier.rootDir, binary, ...args] };
}

/** Hands a folder tree to the user the tier runs Orthanc as (its files stay readable by the test, which is root). */
export function giveToTierUser(tier: OrthancTier, dir: string): void {
    if (!tier.runAs || !existsSync(dir)) return;
    const { uid, gid } = tier.runAs;
    const walk = (path: string) => {
        lchownSync(path, uid, gid);
        if (lstatSync(path).isDirectory()) readdirSync(path).forEach((entry) => walk(join(path, entry)));
    };
    walk(dir);
}
