import { existsSync, readFileSync, readdirSync } from "node:fs";
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

/** Raised for a plan that cannot start: its message is meant for the user as it is. */
export class PlanInputError extends Error {}

/** The stacks of this project: every Pulumi.<stack>.yaml beside Pulumi.yaml. */
export function stackFiles(root = REPO_ROOT): string[] {
    return readdirSync(root)
        .map((file) => /^Pulumi\.(.+)\.ya?ml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/**
 * What the Pulumi CLI hands the program for a stack: Pulumi.yaml defaults overlaid with the stack file's
 * `pacstack:*` values (and any overrides), as `pacstack:<key>` → string (lists as JSON), like the CLI does.
 */
export function stackConfig(stack: string, overrides: Record<string, unknown> = {}): Record<string, string> {
    const project = readProjectFile();
    const path = join(REPO_ROOT, `Pulumi.${stack}.yaml`);
    if (!existsSync(path)) {
        throw new PlanInputError(`no stack file Pulumi.${stack}.yaml in ${REPO_ROOT}; the stacks here are ${stackFiles().join(", ")} (create one with \`pulumi stack init ${stack}\` or copy Pulumi.dev.yaml)`);
    }
    const stackFile = parse(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
    const values: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(project.config)) {
        if (spec.default !== undefined) {
            values[`pacstack:${key}`] = spec.default;
        }
    }
    Object.assign(values, stackFile?.config ?? {});
    for (const [key, value] of Object.entries(overrides)) {
        // `key=value` is a pacstack setting; `namespace:key=value` is taken as written, as in a stack file;
        // `group.field=value` sets one field of a group (like `pulumi config set --path`).
        const [group, field, ...deeper] = key.split(".");
        if (field !== undefined && deeper.length === 0 && !key.includes(":")) {
            const current = values[`pacstack:${group}`];
            const object = typeof current === "string" ? (JSON.parse(current) as Record<string, unknown>) : { ...((current as Record<string, unknown>) ?? {}) };
            values[`pacstack:${group}`] = { ...object, [field]: value };
        } else {
            values[key.includes(":") ? key : `pacstack:${key}`] = value;
        }
    }
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        if (value !== undefined) {
            config[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return config;
}
