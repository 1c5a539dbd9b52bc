/**
 * The README's configuration reference, generated from SETTINGS.
 * `npx ts-node --transpile-only tests/harness/config-table.ts` rewrites the block in README.md.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SETTINGS } from "../../components/config/schema";
import { REPO_ROOT } from "./stack-config";

export const START = "<!-- config-table:start (generated from components/config/schema.ts) -->";
export const END = "<!-- config-table:end -->";

export function renderConfigTable(): string {
    const rows = Object.entries(SETTINGS).map(([key, spec]) => {
        const value = "default" in spec ? `\`${JSON.stringify(spec.default)}\`` : "*required*";
        return `| \`pacstack:${key}\` | ${spec.type} | ${value} | ${spec.description.replace(/\|/g, "\\|")} |`;
    });
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
