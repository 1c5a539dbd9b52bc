import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertRule, RuleGroup } from "../../components/monitoring/rules/alerts";
import { pinnedTools } from "../harness/kube/tools";
import { runTool, ToolResult } from "../harness/real/tools";

/** One `alert_rule_test` case of promtool: at `at`, exactly these alerts fire (none: it stays quiet). */
export interface AlertCase {
    at: string;
    alert: string;
    fires: { labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** One promtool test group: input series (promtool's expanding notation) and the alert cases over them. */
export interface PromtoolTest {
    name: string;
    /** Step of the input series. @default 1m */
    interval?: string;
    series: Record<string, string>;
    cases: AlertCase[];
}

/** Runs `promtool test rules` (the pinned build) on the rule groups with these tests, as files in a temp folder. */
export async function promtoolTestRules(groups: { groups: RuleGroup[] }, tests: PromtoolTest[]): Promise<ToolResult> {
    const { promtool } = await pinnedTools();
    const dir = mkdtempSync(join(tmpdir(), "pacstack-promtool-"));
    try {
        // JSON is YAML: promtool reads both files as they are written here.
        writeFileSync(join(dir, "rules.yaml"), JSON.stringify(groups, null, 1));
        const doc = {
            rule_files: ["rules.yaml"],
            evaluation_interval: "1m",
            tests: tests.map((t) => ({
                name: t.name,
                interval: t.interval ?? "1m",
                input_series: Object.entries(t.series).map(([series, values]) => ({ series, values })),
                alert_rule_test: t.cases.map((c) => ({
                    eval_time: c.at,
                    alertname: c.alert,
                    exp_alerts: c.fires.map((f) => ({ exp_labels: f.labels, exp_annotations: f.annotations })),
                })),
            })),
        };
        writeFileSync(join(dir, "tests.yaml"), JSON.stringify(doc, null, 1));
        return await runTool(promtool, ["test", "rules", "tests.yaml"], { cwd: dir, timeoutMs: 120_000 });
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * An alert's annotations as Prometheus expands them for one alert: `{{ $labels.x }}` from the labels and every
 * `{{ $value ... }}` as the text the test expects (promtool then compares them exactly).
 */
export function expanded(rule: AlertRule, labels: Record<string, string>, valueText = ""): Record<string, string> {
    const expand = (text: string) =>
        text.replace(/\{\{ \$labels\.([a-z_]+) \}\}/g, (_, name: string) => labels[name] ?? "").replace(/\{\{ \$value[^}]*\}\}/g, valueText);
    return Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, expand(v)]));
}

/** The rendered alerting rule(s) of one name (two rules share PacstackArchiveNotStoring, told apart by `reason`). */
export function alertRule(groups: { groups: RuleGroup[] }, name: string, reason?: string): AlertRule {
    const found = groups.groups
        .flatMap((g) => g.rules)
        .filter((r): r is AlertRule => "alert" in r && r.alert === name && (reason === undefined || r.labels.reason === reason));
    if (found.length !== 1) throw new Error(`${found.length} rules named ${name}${reason ? ` (${reason})` : ""}`);
    return found[0];
}
