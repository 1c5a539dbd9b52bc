import { renderDashboards, DashboardsInput } from "../../components/monitoring/dashboards/dashboards";
import { AlertRulesInput, renderAlertRules } from "../../components/monitoring/rules/alerts";

const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan"]);

/**
 * The metric names one PromQL expression reads: identifiers that are not functions (followed by `(`), keywords,
 * label names (inside `{...}` and the label lists of by/on/without/...), string contents or durations.
 */
export function metricNames(expr: string): string[] {
    const stripped = expr
        .replace(/"(?:[^"\\]|\\.)*"/g, '""')
        .replace(/\{[^}]*\}/g, " ")
        .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
        .replace(/\[[^\]]*\]/g, " ");
    const names = new Set<string>();
    for (const match of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
        const after = stripped.slice(match.index! + match[0].length).trimStart();
        if (after.startsWith("(") || KEYWORDS.has(match[0].toLowerCase())) continue;
        if (/^[0-9]/.test(match[0])) continue;
        names.add(match[0]);
    }
    return [...names];
}

/** Every metric name the rendered rules and dashboards read, with where it is used. */
export function usedMetrics(rules: AlertRulesInput, dashboards: DashboardsInput): Map<string, string[]> {
    const used = new Map<string, string[]>();
    const note = (expr: string, where: string) => metricNames(expr).forEach((n) => used.set(n, [...(used.get(n) ?? []), where]));
    for (const group of renderAlertRules(rules).groups) {
        for (const rule of group.rules) {
            if ("alert" in rule) note(rule.expr, `alert ${rule.alert}`);
        }
    }
    for (const [file, doc] of Object.entries(renderDashboards(dashboards))) {
        for (const panel of doc.panels) for (const target of panel.targets) note(target.expr, `${file} "${panel.title}"`);
    }
    return used;
}
