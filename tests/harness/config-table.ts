/**
 * The README's configuration reference, generated from SETTINGS (top-level keys) and LEAF_SETTINGS (the fields of
 * each service's group and of a site, with the flat name each had before the grouping).
 * `npx ts-node --transpile-only tests/harness/config-table.ts` rewrites the block in README.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LEAF_PATHS, LEAF_SETTINGS, LeafKey, LeafSpec, SETTINGS, leafPath } from "../../components/config/schema";
import { REPO_ROOT } from "./stack-config";

export const START = "<!-- config-table:start (generated from components/config/schema.ts) -->";
export const END = "<!-- config-table:end -->";

const cell = (text: string) => text.replace(/\|/g, "\\|");

export function renderConfigTable(): string {
    const rows: string[] = [];
    for (const [key, spec] of Object.entries(SETTINGS)) {
        const value = "default" in spec ? `\`${JSON.stringify(spec.default)}\`` : "*required*";
        const type = spec.items ? `${spec.type} of ${spec.items}` : spec.type;
        rows.push(`| \`pacstack:${key}\` | ${type} | ${value} | ${cell(spec.description)} |`);
        const fields = (Object.keys(LEAF_PATHS) as LeafKey[]).filter((leaf) => LEAF_PATHS[leaf]!.group === key);
        for (const leaf of fields) {
            const field: LeafSpec = LEAF_SETTINGS[leaf];
            const path = key === "sites" ? leafPath(leaf).replace("[0]", "[]") : leafPath(leaf);
            rows.push(`| \`${path}\` | ${field.type} | \`${JSON.stringify(field.default)}\` | ${cell(field.description)}${field.groupedOnly ? "" : ` (formerly \`pacstack:${leaf}\`)`} |`);
        }
    }
    return [START, "| Key | Type | Default | Meaning |", "|---|---|---|---|", ...rows, END].join("\n");
}

export function readmeConfigBlock(readme: string): string | undefined {
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    return start < 0 || end < 0 ? undefined : readme.slice(start, end + END.length);
}

if (require.main === module) {
    const path = join(REPO_ROOT, "README.md");
    const readme = readFileSync(path, "utf8");
    const block = readmeConfigBlock(readme);
    if (!block) {
        throw new Error(`README.md has no ${START} ... ${END} block`);
    }
    writeFileSync(path, readme.replace(block, renderConfigTable()));
}
