import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const REPO_ROOT = join(__dirname, "..", "..");

interface ProjectFile {
    config: Record<string, { type: string; default?: unknown; description: string; items?: { type: string } }>;
}

export function readProjectFile(): ProjectFile {
    return parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as ProjectFile;
}

/** Stack names that have a Pulumi.<stack>.yaml file. */
export const STACKS = ["dev", "prod"] as const;

/**
 * What the Pulumi CLI hands the program for a stack: Pulumi.yaml defaults overlaid with the stack file's
 * `pacstack:*` values (and any overrides), as `pacstack:<key>` → string (lists as JSON), like the CLI does.
 */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    const project = readProjectFile();
    const stackFile = parse(readFileSync(join(REPO_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    const values: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(project.config)) {
        if (spec.default !== undefined) {
            values[`pacstack:${key}`] = spec.default;
        }
    }
    Object.assign(values, stackFile.config ?? {});
    for (const [key, value] of Object.entries(overrides)) {
        values[`pacstack:${key}`] = value;
    }
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        if (value !== undefined) {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return config;
}
