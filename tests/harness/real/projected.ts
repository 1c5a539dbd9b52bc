import { chmodSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Writes a folder the way kubelet's AtomicWriter lays out a Secret, ConfigMap or projected volume:
 *
 *     ..2026_01_01_00_00_00.000000001/<files>
 *     ..data -> ..2026_01_01_00_00_00.000000001
 *     <name> -> ..data/<name>
 *
 * so a program reading the mount sees symlinks and hidden entries exactly as in a pod.
 */
export function writeProjectedVolume(dir: string, files: Record<string, string | Buffer>, mode = 0o440): void {
    mkdirSync(dir, { recursive: true });
    const payload = writePayload(dir, files, mode, 1);
    symlinkSync(payload, join(dir, "..data"));
    for (const name of Object.keys(files)) {
        symlinkSync(join("..data", name), join(dir, name));
    }
}

/**
 * Replaces the content the way kubelet updates a mounted ConfigMap or Secret: a new timestamped folder,
 * then an atomic rename of a fresh `..data` link over the old one. (Files that are new get their link.)
 */
export function updateProjectedVolume(dir: string, files: Record<string, string | Buffer>, mode = 0o440): void {
    const old = readlinkSync(join(dir, "..data"));
    const generation = Number(old.split(".").pop()) + 1;
    const payload = writePayload(dir, files, mode, generation);
    symlinkSync(payload, join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    rmSync(join(dir, old), { recursive: true, force: true });
    const present = new Set(readdirSync(dir));
    for (const name of Object.keys(files)) {
        if (!present.has(name)) symlinkSync(join("..data", name), join(dir, name));
    }
}

function writePayload(dir: string, files: Record<string, string | Buffer>, mode: number, generation: number): string {
    const name = `..2026_01_01_00_00_00.${String(generation).padStart(9, "0")}`;
    mkdirSync(join(dir, name));
    for (const [file, content] of Object.entries(files)) {
        if (file.includes("/") || file.startsWith("..")) throw new Error(`bad projected file name ${file}`);
        writeFileSync(join(dir, name, file), content);
        chmodSync(join(dir, name, file), mode);
    }
    return name;
}
