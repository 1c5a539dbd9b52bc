import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DashboardsInput } from "../../components/monitoring/dashboards/dashboards";
import { AlertRulesInput, renderAlertRules } from "../../components/monitoring/rules/alerts";
import { traefikServicesOf } from "../../components/monitoring/rules/edge-services";
import { ORTHANC_APP } from "../../components/orthanc/workload";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { ORTHANC_METRICS_PATH } from "../../components/orthanc/publication";
import { KEYCLOAK_PATH } from "../../components/keycloak/values";
import { edgeRequest } from "../harness/edge/client";
import { SsoEdge, startSsoEdge } from "../harness/edge/sso";
import { signIn, withJar } from "../harness/edge/sso-login";
import { ctSmallSample } from "../harness/real/binaries";
import { startOrthancStack, OrthancStack } from "../harness/real/orthanc-stack";
import { RunningExporter, startPostgresExporter } from "../harness/real/postgres-exporter";
import { RunningKubeStateMetrics, startKubeStateMetrics } from "../harness/real/kube-state-metrics";
import { KubeApiServer } from "../harness/kube/apiserver";
import { LoopbackMonitor, RunningPrometheus, startPrometheus } from "../harness/real/prometheus";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { stopAllProcesses, waitFor } from "../harness/real/processes";
import { usedMetrics } from "./metric-names";

/** The targets as PodMonitors named after the Services would label them (`job` = `<namespace>/<monitor>`). */
const NS = { app: "pacstack", edge: "pacstack-ingress" };
const TARGETS = {
    orthanc: { namespace: NS.app, job: `${NS.app}/pacstack-orthanc` },
    postgres: { namespace: NS.app, job: `${NS.app}/pacstack-postgresql` },
    traefik: { namespace: NS.edge, job: `${NS.edge}/pacstack-traefik` },
    keycloak: { namespace: NS.app, job: `${NS.app}/pacstack-keycloak` },
    oauth2Proxy: { namespace: NS.app, job: `${NS.app}/pacstack-oauth2-proxy` },
};
/** The rules as deployed but for the archive routes' Traefik names (from the plan the edge runs) and short waits. */
const rulesInput = (archiveEdgeServices: string[]): AlertRulesInput => ({
    targets: TARGETS,
    volumeNamespaces: [NS.app],
    backupCronJobs: [{ namespace: NS.app, name: "pacstack-postgresql-backup" }],
    certificateExpiries: { web: "2027-12-04T00:00:00Z" },
    archiveEdgeServices,
    orthancStorageCeilingMiB: 18432,
    // Short waits for the live checks only, through the renderer's typed input; every expression stays as deployed.
    for: { PacstackArchiveDown: "5s", PacstackPostgresDown: "5s" },
});
const DASHBOARDS: DashboardsInput = { targets: TARGETS, volumeNamespaces: [NS.app] };

/**
 * Names the rules and dashboards use that no exporter running here can show, and why. The test fails when one of
 * them does appear (then it is checked and leaves this list) or when any other name is missing.
 */
const NOT_CHECKABLE: Record<string, string> = {
    kubelet_volume_stats_used_bytes: "the kubelet's volume stats: no node runs here",
    kubelet_volume_stats_capacity_bytes: "the kubelet's volume stats: no node runs here",
};

const BACKUP = "pacstack-postgresql-backup";
const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");

/** The backup CronJob (as components/backup names it) and one failed run it owns, their status as Kubernetes writes it. */
async function applyBackupRun(api: KubeApiServer, at: { lastSuccess: string; failedRunStart: string }): Promise<void> {
    const template = { spec: { backoffLimit: 2, template: { spec: { restartPolicy: "Never", containers: [{ name: "backup", image: "docker.io/library/busybox:1.36" }] } } } };
    const cronJob = await api.apply({ apiVersion: "batch/v1", kind: "CronJob", metadata: { name: BACKUP, namespace: NS.app }, spec: { schedule: "30 1 * * *", suspend: true, jobTemplate: template } } as never);
    await setBackupSuccess(api, at.lastSuccess);
    const owner = { apiVersion: "batch/v1", kind: "CronJob", name: BACKUP, uid: (cronJob as { metadata: { uid: string } }).metadata.uid, controller: true, blockOwnerDeletion: true };
    const job = `${BACKUP}-1`;
    await api.apply({ apiVersion: "batch/v1", kind: "Job", metadata: { name: job, namespace: NS.app, ownerReferences: [owner] }, ...template } as never);
    const condition = (type: string) => ({ type, status: "True", reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit", lastProbeTime: at.failedRunStart, lastTransitionTime: at.failedRunStart });
    await statusPatch(api, "jobs", job, { startTime: at.failedRunStart, failed: 3, conditions: [condition("FailureTarget"), condition("Failed")] });
}
const setBackupSuccess = (api: KubeApiServer, time: string) => statusPatch(api, "cronjobs", BACKUP, { lastScheduleTime: time, lastSuccessfulTime: time });
async function statusPatch(api: KubeApiServer, resource: "jobs" | "cronjobs", name: string, status: Record<string, unknown>): Promise<void> {
    const kind = resource === "jobs" ? "Job" : "CronJob";
    const answer = await api.request("PATCH", `/apis/batch/v1/namespaces/${NS.app}/${resource}/${name}/status?fieldManager=pacstack-tests&force=true`, { apiVersion: "batch/v1", kind, metadata: { name, namespace: NS.app }, status }, "application/apply-patch+yaml");
    if (answer.status !== 200) throw new Error(`${kind} ${name} status: ${answer.status} ${JSON.stringify(answer.body)}`);
}

describe("monitoring: rules and dashboards against the real exporters and a real Prometheus", function () {
    this.timeout(20 * 60_000);
    let sso: SsoEdge;
    let exporter: RunningExporter;
    let prometheus: RunningPrometheus;
    let sid: OrthancStack;
    let ksm: RunningKubeStateMetrics;
    let work: string;
    let rules: AlertRulesInput;
    let archiveServices: string[];

    before(async function () {
        work = mkdtempSync(join(tmpdir(), "pacstack-monitoring-"));
        sso = await startSsoEdge();
        const { edge, keycloak } = sso;
        exporter = await startPostgresExporter(edge.postgres!, "monitoring-postgres-exporter");
        // The backup CronJob with a run that failed after its retries (an hour ago; the last success two hours ago),
        // on the edge's API server, read by the real kube-state-metrics. No controller runs: the test writes status.
        await applyBackupRun(edge.api, { lastSuccess: hoursAgo(2), failedRunStart: hoursAgo(1) });
        ksm = await startKubeStateMetrics(edge.api, ["cronjobs", "jobs"], [NS.app], "monitoring-kube-state-metrics");
        const orthanc = edge.orthanc!;
        const proxyMetrics = (sso.started.alpha.metricsServer as { bindAddress: string }).bindAddress;
        const monitors: LoopbackMonitor[] = [
            { namespace: NS.app, monitor: "pacstack-orthanc", pod: "pacstack-orthanc-0", container: "orthanc", endpoint: "http", address: `127.0.0.1:${orthanc.httpPort}`, path: ORTHANC_METRICS_PATH, basicAuth: { username: orthanc.user[0], password: orthanc.user[1] } },
            { namespace: NS.app, monitor: "pacstack-postgresql", pod: "pacstack-postgresql-0", container: "metrics", endpoint: "http-metrics", address: `127.0.0.1:${exporter.port}`, path: "/metrics" },
            { namespace: NS.edge, monitor: "pacstack-traefik", pod: "pacstack-traefik-0", container: "traefik", endpoint: "metrics", address: `127.0.0.1:${edge.traefik.ports.metrics}`, path: "/metrics" },
            { namespace: NS.app, monitor: "pacstack-keycloak", pod: "pacstack-keycloak-0", container: "keycloak", endpoint: "http-internal", address: `127.0.0.1:${keycloak.managementPort}`, path: `${KEYCLOAK_PATH}/metrics` },
            { namespace: "pacstack-monitoring", monitor: "pacstack-monitoring-kube-state-metrics", pod: "kube-state-metrics-0", container: "kube-state-metrics", endpoint: "http", address: `127.0.0.1:${ksm.port}`, path: "/metrics", serviceMonitor: { service: "kube-state-metrics", honorLabels: true } },
            { namespace: NS.app, monitor: "pacstack-oauth2-proxy", pod: "pacstack-oauth2-proxy-0", container: "oauth2-proxy", endpoint: "metrics", address: proxyMetrics, path: "/metrics" },
        ];
        const ingressRoutes = edge.applied.filter((o) => o.kind === "IngressRoute") as unknown as Parameters<typeof traefikServicesOf>[0];
        const orthancServices = edge.applied.filter((o) => o.kind === "Service" && o.metadata.labels?.["app.kubernetes.io/name"] === ORTHANC_APP).map((o) => o.metadata.name as string);
        archiveServices = traefikServicesOf(ingressRoutes, orthancServices);
        assert.ok(archiveServices.length >= 2 && new Set(archiveServices).size === archiveServices.length, `Orthanc's routes (/orthanc, /dicom-web, ...): ${archiveServices}`);
        rules = rulesInput(archiveServices);
        prometheus = await startPrometheus(join(work, "prometheus"), monitors, renderAlertRules(rules), "monitoring-prometheus");

        // Traffic that makes the exporters show what the dashboards read: a failed and a successful sign-in on
        // Keycloak's form through the edge, an upload and searches through the archive's route, a REST store.
        const refused = await signIn(edge, { username: sso.user.username, password: "not-the-password" });
        assert.equal(refused.signedIn, false);
        const session = await signIn(edge, sso.user);
        assert.ok(session.signedIn);
        const dicom = readFileSync(ctSmallSample());
        const stow = await withJar(edge, session.jar, "/dicom-web/studies", { method: "POST", headers: { "Content-Type": 'multipart/related; type="application/dicom"; boundary=b' }, body: Buffer.concat([Buffer.from("--b\r\nContent-Type: application/dicom\r\n\r\n"), dicom, Buffer.from("\r\n--b--\r\n")]) });
        assert.equal(stow.status, 200, stow.body.toString());
        assert.equal((await withJar(edge, session.jar, "/dicom-web/studies")).status, 200);
        assert.equal((await edgeRequest(edge, "/dicom-web/studies")).status, 401);

        // The newest Debian Orthanc beside it, for the names Debian 12's 1.10.1 predates.
        sid = await startOrthancStack({ tierId: "sid", production: renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT), name: "monitoring-sid" });
        assert.equal((await sid.orthanc.request("/instances", { method: "POST", body: dicom })).status, 200);
        // An upload that is not DICOM: Orthanc logs an error, which makes 1.13.0 show its logged-errors count.
        assert.equal((await sid.orthanc.request("/instances", { method: "POST", body: Buffer.from("not DICOM") })).status, 400);

        const up = async () => (await prometheus.query("up == 1")).length === monitors.length;
        await waitFor("Prometheus scraping every target", up, { process: prometheus.process, timeoutMs: 120_000, intervalMs: 500 });
    });

    after(async function () {
        await prometheus?.stop();
        await ksm?.stop();
        await exporter?.stop();
        await sid?.stop();
        await sso?.stop();
        await stopAllProcesses();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("every metric name a rule or dashboard reads is exposed by the real exporters (names that cannot be checked here listed with why)", async function () {
        // A scrape after the traffic above, so that metrics made on first use are in.
        await new Promise((done) => setTimeout(done, 3_000));
        const exposed = new Set<string>(await prometheus.metricNames());
        const sidText = (await sid.orthanc.request(ORTHANC_METRICS_PATH)).body.toString();
        const sidNames = new Set([...sidText.matchAll(/^([a-z_:][a-z0-9_:]*)[{ ]/gm)].map((m) => m[1]));
        const used = usedMetrics(rules, DASHBOARDS);
        const missing = [...used.keys()].filter((name) => !exposed.has(name) && !sidNames.has(name)).sort();
        assert.deepEqual(missing, Object.keys(NOT_CHECKABLE).sort(), [...used].filter(([n]) => missing.includes(n)).map(([n, w]) => `${n}: ${w.join(", ")}`).join("\n"));
        // Which Orthanc showed which name: the ones only the sid tier (1.13.0) has.
        const onlySid = [...used.keys()].filter((n) => n.startsWith("orthanc_") && !exposed.has(n) && sidNames.has(n)).sort();
        assert.deepEqual(onlySid, ["orthanc_available_dicom_threads", "orthanc_logged_errors_count"]);
    });

    it("the label values the rules and dashboards select on exist: the archive's edge service, the login form's URI", async function () {
        // The STOW-RS upload above went through Orthanc's /dicom-web route: its Traefik name, as traefikRouteService derives it.
        const all = await prometheus.query(`traefik_service_requests_total{job="${TARGETS.traefik.job}"}`);
        const archive = all.filter((s) => archiveServices.includes(s.metric.service));
        assert.ok(archive.some((s) => s.metric.method === "POST" && s.metric.code === "200"), JSON.stringify(all.map((s) => s.metric)));
        const logins = await prometheus.query(`http_server_requests_seconds_count{job="${TARGETS.keycloak.job}",method="POST",uri=~".*/login-actions/authenticate"}`);
        assert.deepEqual([...new Set(logins.map((s) => s.metric.status))].sort(), ["200", "302"], JSON.stringify(logins.map((s) => s.metric)));
        const proxy = await prometheus.query(`oauth2_proxy_requests_total{job="${TARGETS.oauth2Proxy.job}"}`);
        assert.ok(["202", "401"].every((code) => proxy.some((s) => s.metric.code === code)), JSON.stringify(proxy.map((s) => s.metric)));
        const served = await prometheus.query(`traefik_tls_certs_not_after{job="${TARGETS.traefik.job}"}`);
        assert.ok(served.some((s) => s.metric.cn === sso.edge.domain), JSON.stringify(served.map((s) => s.metric)));
    });

    it("nothing fires while everything runs; stopping Orthanc fires PacstackArchiveDown, its restart clears it", async function () {
        const firing = async (name: string) => (await prometheus.firing()).filter((a) => a.labels.alertname === name);
        assert.deepEqual(await firing("PacstackArchiveDown"), []);
        assert.deepEqual(await firing("PacstackPostgresDown"), []);
        const orthanc = sso.edge.orthanc!;
        await orthanc.stop();
        await waitFor("PacstackArchiveDown firing", async () => (await firing("PacstackArchiveDown")).length === 1, { timeoutMs: 60_000, intervalMs: 500 });
        const [alert] = await firing("PacstackArchiveDown");
        assert.equal(alert.labels.job, TARGETS.orthanc.job);
        assert.equal(alert.labels.severity, "critical");
        assert.match(alert.annotations.runbook, /kubectl -n pacstack describe pod/);
        await orthanc.start();
        await waitFor("PacstackArchiveDown cleared", async () => (await firing("PacstackArchiveDown")).length === 0, { timeoutMs: 60_000, intervalMs: 500 });
    });

    it("stopping PostgreSQL fires PacstackPostgresDown (the exporter reports pg_up 0), its restart clears it", async function () {
        const firing = async (name: string) => (await prometheus.firing()).filter((a) => a.labels.alertname === name);
        const postgres = sso.edge.postgres!;
        await postgres.stop();
        await waitFor("PacstackPostgresDown firing", async () => (await firing("PacstackPostgresDown")).length === 1, { timeoutMs: 60_000, intervalMs: 500 });
        const [alert] = await firing("PacstackPostgresDown");
        assert.equal(alert.labels.job, TARGETS.postgres.job);
        // The exporter itself answers, reporting the server down (the alert's pg_up branch, not a failed scrape).
        assert.match(await (await fetch(`http://127.0.0.1:${exporter.port}/metrics`)).text(), /^pg_up 0$/m);
        await postgres.start();
        await waitFor("PacstackPostgresDown cleared", async () => (await firing("PacstackPostgresDown")).length === 0, { timeoutMs: 60_000, intervalMs: 500 });
    });

    it("a backup run that failed after the last success fires PacstackBackupFailed (kube-state-metrics' Job metrics); a later success clears it", async function () {
        const firing = async () => (await prometheus.firing()).filter((a) => a.labels.alertname === "PacstackBackupFailed");
        await waitFor("PacstackBackupFailed firing", async () => (await firing()).length === 1, { timeoutMs: 60_000, intervalMs: 500 });
        const [alert] = await firing();
        assert.deepEqual([alert.labels.namespace, alert.labels.owner_name], [NS.app, BACKUP]);
        await setBackupSuccess(sso.edge.api, hoursAgo(0));
        await waitFor("PacstackBackupFailed cleared", async () => (await firing()).length === 0, { timeoutMs: 60_000, intervalMs: 500 });
    });
});
