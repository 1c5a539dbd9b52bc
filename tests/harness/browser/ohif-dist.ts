/**
 * The OHIF viewer build the browser test serves: `npm pack @ohif/app@<version>` (its package/dist is the web root the
 * ohif/app image of the same version serves), checked against the pinned integrity and unpacked once into
 * node_modules/.cache. The package is not a devDependency: its dependency tree names versions the registry does
 * not have (@ohif/i18n@3.13.2), so `npm install @ohif/app@3.13.2` fails.
 * `npm run ohif-dist` prepares it ahead of the tests (CI does); the browser test calls ensureOhifDist() too.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../stack-config";

export const OHIF_APP = {
    version: "3.13.2",
    integrity: "sha512-WZdxmpmG7rqFgW9ZJLcbgr3XCtLi1KDNPoMaeY5PPe6j4G4fjEjjkycZM6C6Zk2F87BKxFfpq+jd5xXZB9E8EA==",
} as const;

export const OHIF_CACHE = join(REPO_ROOT, "node_modules", ".cache", "pacstack", `ohif-app-${OHIF_APP.version}`);

/** Path of the unpacked dist/ (contains index.html and app-config.js); downloads it on first use. */
export function ensureOhifDist(): string {
    const dist = join(OHIF_CACHE, "dist");
    const marker = join(OHIF_CACHE, "integrity");
    if (existsSync(join(dist, "index.html")) && existsSync(marker) && readFileSync(marker, "utf8") === OHIF_APP.integrity) {
        return dist;
    }
    mkdirSync(join(REPO_ROOT, "node_modules", ".cache", "pacstack"), { recursive: true });
    const work = mkdtempSync(join(REPO_ROOT, "node_modules", ".cache", "pacstack", "download-"));
    try {
        const [packed] = JSON.parse(
            execFileSync("npm", ["pack", `@ohif/app@${OHIF_APP.version}`, "--json", "--silent", "--pack-destination", work], { cwd: work, encoding: "utf8" }),
        ) as { filename: string }[];
        const tarball = join(work, packed.filename);
        const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`;
        if (integrity !== OHIF_APP.integrity) {
            throw new Error(`@ohif/app@${OHIF_APP.version}: tarball integrity ${integrity} differs from the pinned ${OHIF_APP.integrity}`);
        }
        execFileSync("tar", ["-xzf", tarball, "-C", work, "package/dist"]);
        rmSync(OHIF_CACHE, { recursive: true, force: true });
        mkdirSync(OHIF_CACHE, { recursive: true });
        renameSync(join(work, "package", "dist"), dist);
        writeFileSync(marker, OHIF_APP.integrity);
        return dist;
    } finally {
        rmSync(work, { recursive: true, force: true });
    }
}

if (require.main === module) {
    console.log(ensureOhifDist());
}
