import assert from "node:assert/strict";
import { renderDashboards } from "../../components/monitoring/dashboards/dashboards";
import { grafanaSchemaErrors } from "./grafana-schema";
import { metricNames } from "./metric-names";
import { RULES_INPUT, TARGETS } from "./rules-fixture";

const INPUT = { targets: TARGETS, volumeNamespaces: RULES_INPUT.volumeNamespaces };
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe("monitoring: Grafana dashboards as code", function () {
    this.timeout(120_000);

    it("renders the archive, database, edge and sign-in dashboards, deterministically", function () {
        const out = renderDashboards(INPUT);
        assert.deepEqual(Object.keys(out), ["pacstack-archive.json", "pacstack-database.json", "pacstack-edge.json", "pacstack-sign-in.json"]);
        assert.deepEqual(renderDashboards(INPUT), out);
        const titles = (name: string) => out[name].panels.map((p) => p.title);
        assert.deepEqual(titles("pacstack-archive.json").slice(0, 7), ["Instances stored per second", "Store duration", "Jobs", "DICOM threads in use", "REST latency", "Stored data", "Volumes"]);
        assert.deepEqual(titles("pacstack-database.json").slice(0, 4), ["Connections against the maximum", "Transactions", "Locks", "Database size"]);
        assert.deepEqual(titles("pacstack-edge.json").slice(0, 4), ["Requests per route", "Latency per route (95th percentile)", "Error ratio per route", "Certificate expiry"]);
        assert.deepEqual(titles("pacstack-sign-in.json"), ["Logins", "Keycloak up", "Edge sign-in checks", "oauth2-proxy up"]);
        for (const doc of Object.values(out)) {
            assert.equal(new Set(doc.panels.map((p) => `${p.gridPos.x},${p.gridPos.y}`)).size, doc.panels.length, `${doc.uid}: panels overlap`);
            for (const p of doc.panels) for (const t of p.targets) assert.equal(t.datasource.uid, "${datasource}");
        }
    });

    it("every dashboard conforms to Grafana's dashboard schema as the pinned Grafana foundation SDK types it", function () {
        const errors = grafanaSchemaErrors(renderDashboards(INPUT));
        assert.deepEqual(errors, []);
    });

    it("the schema check fails deliberately broken dashboards, naming each fault", function () {
        const archive = renderDashboards(INPUT)["pacstack-archive.json"];
        const faults: [string, (d: any) => void, RegExp][] = [
            ["a string where the schema has a number", (d) => (d.schemaVersion = "42"), /Type 'string' is not assignable to type 'number'/],
            ["a key the schema does not have", (d) => (d.titel = "typo"), /'"titel"' does not exist in type/],
            ["a required field missing", (d) => delete d.panels[0].gridPos.w, /Property 'w' is missing/],
            ["a value outside an enum", (d) => (d.panels[1].options.legend.displayMode = "sideways"), /Type '"sideways"' is not assignable/],
            ["a Prometheus query without its expression", (d) => delete d.panels[2].targets[0].expr, /Property 'expr' is missing/],
            ["a panel field of the wrong type", (d) => (d.panels[3].fieldConfig.defaults.custom.lineWidth = "thick"), /p3custom[^\n]*Type 'string' is not assignable to type 'number'/],
        ];
        const docs = Object.fromEntries(faults.map(([what, breakIt]) => { const d = clone(archive); breakIt(d); return [what, d]; }));
        const errors = grafanaSchemaErrors(docs);
        faults.forEach(([what, , message], i) => {
            const own = errors.filter((e) => e.startsWith(`export const d${i}:`) || e.startsWith(`export const d${i}p`));
            assert.ok(own.some((e) => message.test(e)), `${what}: ${own.join("\n") || "no error"}`);
        });
    });

    it("a service that is not deployed gets no dashboard (and no queries for it)", function () {
        const out = renderDashboards({ targets: { postgres: TARGETS.postgres }, volumeNamespaces: [] });
        assert.deepEqual(Object.keys(out), ["pacstack-database.json"]);
        const onlyProxy = renderDashboards({ targets: { oauth2Proxy: TARGETS.oauth2Proxy }, volumeNamespaces: [] });
        assert.deepEqual(onlyProxy["pacstack-sign-in.json"].panels.map((p) => p.title), ["Edge sign-in checks", "oauth2-proxy up"]);
    });

    it("selects each service by its matchers only, and names the metrics the live tests check", function () {
        const out = renderDashboards(INPUT);
        for (const p of out["pacstack-database.json"].panels) for (const t of p.targets) assert.ok(t.expr.includes('job="pacstack/pacstack-postgresql"'), t.expr);
        const names = Object.values(out).flatMap((d) => d.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr))));
        for (const name of ["orthanc_count_instances", "orthanc_available_dicom_threads", "pg_stat_activity_count", "pg_locks_count", "traefik_service_request_duration_seconds_bucket", "oauth2_proxy_requests_total"]) {
            assert.ok(names.includes(name), name);
        }
        assert.ok(!names.some((n) => ["by", "on", "sum", "rate", "le", "pod", "service"].includes(n)), names.join(" "));
    });
});
