import { join } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../harness/stack-config";

/**
 * Checks dashboard documents against Grafana's published dashboard schema as the Grafana foundation SDK
 * (@grafana/grafana-foundation-sdk, pinned in package.json) types it: each document becomes an object literal
 * typed as the SDK's `dashboard.Dashboard`, each panel's options, custom field config and queries as the SDK's type
 * for that panel kind and for Prometheus queries, and the real TypeScript compiler judges them (missing required
 * fields, wrong types, values outside an enum, unknown keys). Returns the compiler's messages (none: valid).
 */
export function grafanaSchemaErrors(dashboards: Record<string, unknown>): string[] {
    const lines = [
        `import type * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";`,
        `import type * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";`,
        `import type * as stat from "@grafana/grafana-foundation-sdk/stat";`,
        `import type * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";`,
        // JSON cannot hold a TypeScript enum member or a method: a string enum becomes the union of its values, and
        // the marker methods the SDK's query types carry are dropped. Everything else is the SDK's type as it is.
        `type IsAny<T> = 0 extends 1 & T ? true : false;`,
        `type Json<T> = IsAny<T> extends true ? any : T extends string ? \`\${T}\` : T extends number | boolean | null | undefined ? T`,
        `  : T extends readonly (infer U)[] ? Json<U>[] : T extends object ? { [K in keyof T as T[K] extends (...args: any[]) => any ? never : K]: Json<T[K]> } : T;`,
    ];
    const panelTypes: Record<string, { options: string; custom?: string }> = {
        timeseries: { options: "timeseries.Options", custom: "timeseries.FieldConfig" },
        stat: { options: "stat.Options" },
    };
    Object.entries(dashboards).forEach(([name, doc], d) => {
        lines.push(`// ${name}`, `export const d${d}: Json<dashboard.Dashboard> = ${JSON.stringify(doc)};`);
        const panels = ((doc as { panels?: Record<string, any>[] }).panels ?? []) as Record<string, any>[];
        panels.forEach((panel, p) => {
            const types = panelTypes[panel.type];
            if (!types) {
                lines.push(`export const d${d}p${p}type: keyof typeof panelKinds = ${JSON.stringify(panel.type)};`);
                return;
            }
            lines.push(`export const d${d}p${p}options: Json<${types.options}> = ${JSON.stringify(panel.options)};`);
            if (types.custom) lines.push(`export const d${d}p${p}custom: Json<${types.custom}> = ${JSON.stringify(panel.fieldConfig?.defaults?.custom)};`);
            ((panel.targets ?? []) as unknown[]).forEach((target, q) => lines.push(`export const d${d}p${p}q${q}: Json<prometheus.Dataquery> = ${JSON.stringify(target)};`));
        });
    });
    lines.push(`const panelKinds = { timeseries: 1, stat: 1 };`);
    return compile(lines.join("\n"));
}

/** Type-checks one in-memory module placed in the repository (so the SDK resolves from its node_modules). */
function compile(source: string): string[] {
    const file = join(REPO_ROOT, "tests/monitoring/__grafana_schema_check__.ts");
    const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, types: [] };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const getSourceFile = host.getSourceFile.bind(host);
    host.readFile = (f) => (f === file ? source : readFile(f));
    host.fileExists = ((exists) => (f: string) => f === file || exists(f))(host.fileExists.bind(host));
    host.getSourceFile = (f, language, ...rest) => (f === file ? ts.createSourceFile(f, source, language, true) : getSourceFile(f, language, ...rest));
    const program = ts.createProgram([file], options, host);
    const diagnostics = [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()].filter((d) => d.file?.fileName === file || !d.file);
    return diagnostics.map((d) => {
        const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
        if (!d.file || d.start === undefined) return text;
        const { line } = d.file.getLineAndCharacterOfPosition(d.start);
        return `${source.split("\n")[line].slice(0, 60)}…: ${text}`;
    });
}
