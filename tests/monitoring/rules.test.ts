import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlertRule, ALERT_NAMES, CERTIFICATE_EXPIRY_METRIC, RecordingRule, renderAlertRules } from "../../components/monitoring/rules/alerts";
import { selector } from "../../components/monitoring/rules/promql";
import { traefikRouteService, traefikServicesOf } from "../../components/monitoring/rules/edge-services";
import { pinnedTools } from "../harness/kube/tools";
import { runTool } from "../harness/real/tools";
import { RULES_INPUT, TARGETS } from "./rules-fixture";

const alerts = (doc: ReturnType<typeof renderAlertRules>) => doc.groups.flatMap((g) => g.rules).filter((r): r is AlertRule => "alert" in r);

async function promtoolCheck(doc: unknown): Promise<{ code: number; output: string }> {
    const { promtool } = await pinnedTools();
    const dir = mkdtempSync(join(tmpdir(), "pacstack-rules-"));
    try {
        writeFileSync(join(dir, "rules.yaml"), JSON.stringify(doc));
        return await runTool(promtool, ["check", "rules", "--lint=all", "--lint-fatal", join(dir, "rules.yaml")]);
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("monitoring: alert rules renderer", function () {
    this.timeout(30 * 60_000);

    it("renders every alert of pacstack once per rule, each with a severity, summary, description and runbook line", function () {
        const rendered = alerts(renderAlertRules(RULES_INPUT));
        assert.deepEqual([...new Set(rendered.map((r) => r.alert))].sort(), [...ALERT_NAMES].sort());
        for (const rule of rendered) {
            assert.match(rule.labels.severity, /^(critical|warning)$/);
            for (const key of ["summary", "description", "runbook"] as const) assert.ok(rule.annotations[key].length > 10, `${rule.alert}: ${key}`);
            assert.ok(!rule.annotations.runbook.includes("\n"), `${rule.alert}: the runbook is one line`);
        }
    });

    it("is deterministic and valid for the pinned promtool (syntax and lint)", async function () {
        const doc = renderAlertRules(RULES_INPUT);
        assert.deepEqual(renderAlertRules(RULES_INPUT), doc);
        const result = await promtoolCheck(doc);
        assert.equal(result.code, 0, result.output);
    });

    it("records each certificate's expiry from the certificateExpiries output, as Unix seconds", function () {
        const doc = renderAlertRules({ ...RULES_INPUT, certificateExpiries: { web: "2027-12-04T05:00:00Z", ca: "2036-12-01T00:00:00Z" } });
        const recorded = doc.groups.flatMap((g) => g.rules).filter((r): r is RecordingRule => "record" in r);
        assert.deepEqual(recorded, [
            { record: CERTIFICATE_EXPIRY_METRIC, expr: `vector(${Date.parse("2036-12-01T00:00:00Z") / 1000})`, labels: { certificate: "ca" } },
            { record: CERTIFICATE_EXPIRY_METRIC, expr: `vector(${Date.parse("2027-12-04T05:00:00Z") / 1000})`, labels: { certificate: "web" } },
        ]);
    });

    it("leaves out the rules of services that are not deployed, and groups left empty", function () {
        const doc = renderAlertRules({ ...RULES_INPUT, targets: { postgres: TARGETS.postgres }, volumeNamespaces: [], backupCronJobs: [], certificateExpiries: {}, archiveEdgeServices: [] });
        assert.deepEqual(doc.groups.map((g) => g.name), ["pacstack-database"]);
        assert.deepEqual(alerts(doc).map((r) => r.alert), ["PacstackPostgresDown", "PacstackPostgresConnections"]);
    });

    it("takes `for:` overrides by alert name (the live tests' short ones), refusing unknown names and non-durations", function () {
        const doc = renderAlertRules({ ...RULES_INPUT, for: { PacstackArchiveDown: "10s" } });
        assert.equal(alerts(doc).find((r) => r.alert === "PacstackArchiveDown")?.for, "10s");
        assert.equal(alerts(doc).find((r) => r.alert === "PacstackPostgresDown")?.for, "2m");
        assert.throws(() => renderAlertRules({ ...RULES_INPUT, for: { PacstackArchivDown: "1m" } as never }), /for: "PacstackArchivDown" is not one of pacstack's alerts/);
        assert.throws(() => renderAlertRules({ ...RULES_INPUT, for: { PacstackArchiveDown: "soon" } }), /for of PacstackArchiveDown: "soon" is not a Prometheus duration/);
    });

    it("refuses a certificate time that is not RFC 3339 and a label name PromQL does not allow", function () {
        assert.throws(() => renderAlertRules({ ...RULES_INPUT, certificateExpiries: { web: "next year" } }), /certificate "web": "next year" is not an RFC 3339 time/);
        assert.throws(() => selector({ "bad-name": "x" }), /"bad-name" is not a Prometheus label name/);
    });

    it("hostile values (quotes, backslashes, newlines, regex characters) stay inside their string literals", async function () {
        const hostile = 'a"b\\c\n} or vector(1) #.*';
        const doc = renderAlertRules({
            ...RULES_INPUT,
            targets: { orthanc: { namespace: hostile, job: hostile }, traefik: { job: hostile } },
            volumeNamespaces: [hostile],
            backupCronJobs: [{ namespace: hostile, name: hostile }],
            archiveEdgeServices: [hostile],
        });
        assert.ok(alerts(doc).every((r) => !r.expr.includes("\n")));
        const down = alerts(doc).find((r) => r.alert === "PacstackArchiveDown")!;
        assert.ok(down.expr.includes(`job=${JSON.stringify(hostile)}`), down.expr);
        assert.ok(alerts(doc).find((r) => r.alert === "PacstackVolumeFilling")!.expr.includes(JSON.stringify('a"b\\\\c\n\\} or vector\\(1\\) #\\.\\*')));
        const result = await promtoolCheck(doc);
        assert.equal(result.code, 0, result.output);
    });

    it("names an archive route's Traefik service as Traefik's CRD provider does (route hash, not the Kubernetes Service)", function () {
        const match = "PathPrefix(`/dicom-web`)";
        const name = traefikRouteService("pacstack", "pacstack-routes-web", match);
        assert.match(name, /^pacstack-pacstack-routes-web-[0-9a-f]{20}@kubernetescrd$/);
        const routes = [{ metadata: { name: "web", namespace: "ns" }, spec: { routes: [{ match, services: [{ name: "orthanc" }] }, { match: "PathPrefix(`/`)", services: [{ name: "viewer" }] }] } }];
        assert.deepEqual(traefikServicesOf(routes, ["orthanc"]), [traefikRouteService("ns", "web", match)]);
        assert.notEqual(traefikRouteService("ns", "web", match), traefikRouteService("ns", "web", "PathPrefix(`/`)"));
    });
});
