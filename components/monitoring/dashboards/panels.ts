/**
 * Grafana dashboard documents (the JSON model of Grafana's dashboard schema, schemaVersion 42, as the Grafana
 * foundation SDK's types describe it; tests/monitoring/dashboards.test.ts checks every rendered dashboard against
 * those types). Plain data: no Grafana library at run time.
 */

/** One PromQL query of a panel and its legend (`{{label}}` placeholders are Grafana's). */
export interface Query {
    expr: string;
    legend: string;
}

export interface PanelSpec {
    title: string;
    description: string;
    /** Grafana unit id: short, ops, reqps, ms, s, bytes, decmbytes, percentunit, d (days), ... */
    unit: string;
    queries: Query[];
    /** A big number instead of a graph. @default "timeseries" */
    kind?: "timeseries" | "stat";
    /** Lowest value of the axis (0 for counts). @default 0 */
    min?: number;
    max?: number;
}

/** The Prometheus data source chosen in the dashboard's `datasource` variable (Grafana's provisioned one by default). */
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
const PANEL_WIDTH = 12;
const PANEL_HEIGHT = 8;

function panel(spec: PanelSpec, id: number) {
    const index = id - 1;
    const fieldDefaults = { unit: spec.unit, min: spec.min ?? 0, ...(spec.max !== undefined ? { max: spec.max } : {}) };
    const common = {
        id,
        type: spec.kind ?? "timeseries",
        title: spec.title,
        description: spec.description,
        datasource: DATASOURCE,
        gridPos: { h: PANEL_HEIGHT, w: PANEL_WIDTH, x: (index % 2) * PANEL_WIDTH, y: Math.floor(index / 2) * PANEL_HEIGHT },
        targets: spec.queries.map((q, i) => ({ refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr: q.expr, legendFormat: q.legend, range: true, editorMode: "code" })),
    };
    if (spec.kind === "stat") {
        return {
            ...common,
            options: {
                graphMode: "area",
                colorMode: "value",
                justifyMode: "auto",
                textMode: "auto",
                wideLayout: true,
                showPercentChange: false,
                reduceOptions: { calcs: ["lastNotNull"] },
                percentChangeColorMode: "standard",
                orientation: "auto",
            },
            fieldConfig: { defaults: fieldDefaults, overrides: [] },
        };
    }
    return {
        ...common,
        options: { legend: { displayMode: "list", placement: "bottom", showLegend: true, calcs: [] }, tooltip: { mode: "multi", sort: "desc" } },
        fieldConfig: { defaults: { ...fieldDefaults, custom: { drawStyle: "line", lineWidth: 1, fillOpacity: 10, showPoints: "never", spanNulls: false } }, overrides: [] },
    };
}

/** A whole dashboard: a Prometheus data-source variable, the panels two per row, refreshed every minute. */
export function dashboard(uid: string, title: string, description: string, panels: PanelSpec[]) {
    return {
        uid,
        title,
        description,
        tags: ["pacstack"],
        timezone: "browser",
        editable: false,
        graphTooltip: 1,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        schemaVersion: 42,
        fiscalYearStartMonth: 0,
        templating: {
            list: [{ type: "datasource", name: "datasource", label: "Data source", query: "prometheus", current: { text: "Prometheus", value: "prometheus" }, hide: 0 }],
        },
        annotations: { list: [] },
        panels: panels.map((p, i) => panel(p, i + 1)),
    };
}

export type DashboardDocument = ReturnType<typeof dashboard>;
