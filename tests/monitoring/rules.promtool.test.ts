import assert from "node:assert/strict";
import { renderAlertRules } from "../../components/monitoring/rules/alerts";
import { alertRule, expanded, promtoolTestRules, PromtoolTest } from "./promtool";
import { ARCHIVE_EDGE_SERVICE, RULES_INPUT, series, TARGETS } from "./rules-fixture";

const rules = renderAlertRules(RULES_INPUT);
const pod = (name: string, ip: string) => ({ pod: name, instance: `${ip}:8042` });
const withSeverity = (rule: ReturnType<typeof alertRule>, labels: Record<string, string>) => ({ ...labels, ...rule.labels });

/** One firing alert of `name` with these series labels (after the rule's aggregation) and `{{ $value }}` text. */
function fires(name: string, labels: Record<string, string>, valueText = "", reason?: string) {
    const rule = alertRule(rules, name, reason);
    return { labels: withSeverity(rule, labels), annotations: expanded(rule, labels, valueText) };
}

const archiveTests: PromtoolTest[] = [
    {
        name: "archive down: a target that stops answering, then one that is gone",
        series: { [series("up", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })]: "1 1 1 0x10" },
        cases: [
            { at: "2m", alert: "PacstackArchiveDown", fires: [] },
            { at: "4m", alert: "PacstackArchiveDown", fires: [] }, // pending: down for 1 of 2 minutes
            { at: "6m", alert: "PacstackArchiveDown", fires: [fires("PacstackArchiveDown", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })] },
        ],
    },
    {
        name: "archive down: no Orthanc target at all",
        series: { [series("up", { ...TARGETS.postgres, ...pod("postgresql-0", "10.0.0.2") })]: "1x10" },
        cases: [{ at: "5m", alert: "PacstackArchiveDown", fires: [fires("PacstackArchiveDown", TARGETS.orthanc)] }],
    },
    {
        name: "archive not storing: no DICOM thread free for 10 minutes, and storage at its ceiling",
        series: {
            [series("orthanc_available_dicom_threads", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })]: "4 4 0x20",
            [series("orthanc_available_dicom_threads", { ...TARGETS.orthanc, ...pod("orthanc-1", "10.0.0.3") })]: "2x20",
            [series("orthanc_disk_size_mb", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })]: "18000 18300x20",
            [series("orthanc_disk_size_mb", { ...TARGETS.orthanc, ...pod("orthanc-1", "10.0.0.3") })]: "10000x20",
        },
        cases: [
            { at: "8m", alert: "PacstackArchiveNotStoring", fires: [] },
            {
                at: "13m",
                alert: "PacstackArchiveNotStoring",
                fires: [
                    fires("PacstackArchiveNotStoring", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") }, "0", "dicom-threads"),
                    fires("PacstackArchiveNotStoring", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") }, "18300", "storage-ceiling"),
                ],
            },
        ],
    },
    {
        name: "store errors: POSTs to the archive answered 5xx (other services and codes ignored)",
        series: {
            [series("traefik_service_requests_total", { ...TARGETS.traefik, service: ARCHIVE_EDGE_SERVICE, method: "POST", code: "500" })]: "5x5 5+6x15",
            [series("traefik_service_requests_total", { ...TARGETS.traefik, service: ARCHIVE_EDGE_SERVICE, method: "POST", code: "200" })]: "0+60x20",
            [series("traefik_service_requests_total", { ...TARGETS.traefik, service: ARCHIVE_EDGE_SERVICE, method: "GET", code: "502" })]: "0+60x20",
            [series("traefik_service_requests_total", { ...TARGETS.traefik, service: "pacstack-pacstack-viewer-80@kubernetescrd", method: "POST", code: "500" })]: "0+60x20",
        },
        cases: [
            { at: "5m", alert: "PacstackArchiveStoreErrors", fires: [] },
            { at: "15m", alert: "PacstackArchiveStoreErrors", fires: [fires("PacstackArchiveStoreErrors", { service: ARCHIVE_EDGE_SERVICE }, "100m")] },
        ],
    },
    {
        name: "logged errors rising",
        series: {
            [series("orthanc_logged_errors_count", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })]: "0x5 0+2x10",
            [series("orthanc_logged_errors_count", { ...TARGETS.orthanc, ...pod("orthanc-1", "10.0.0.3") })]: "3x15",
        },
        cases: [
            { at: "5m", alert: "PacstackArchiveLoggedErrors", fires: [] },
            { at: "15m", alert: "PacstackArchiveLoggedErrors", fires: [fires("PacstackArchiveLoggedErrors", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") }, "18")] },
        ],
    },
];

const volume = (namespace: string, claim: string, used: number) => ({
    [series("kubelet_volume_stats_used_bytes", { namespace, persistentvolumeclaim: claim })]: `${used}x30`,
    [series("kubelet_volume_stats_capacity_bytes", { namespace, persistentvolumeclaim: claim })]: "100x30",
});

const storageAndDatabaseTests: PromtoolTest[] = [
    {
        name: "volumes over 80 % and 90 %, in the watched namespaces only",
        series: { ...volume("pacstack", "half", 50), ...volume("pacstack", "dicom", 85), ...volume("pacstack-monitoring", "prometheus", 95), ...volume("kube-system", "other", 99) },
        cases: [
            { at: "10m", alert: "PacstackVolumeFilling", fires: [] },
            { at: "3m", alert: "PacstackVolumeAlmostFull", fires: [] },
            { at: "20m", alert: "PacstackVolumeFilling", fires: [fires("PacstackVolumeFilling", { namespace: "pacstack", persistentvolumeclaim: "dicom" }, "85%")] },
            { at: "20m", alert: "PacstackVolumeAlmostFull", fires: [fires("PacstackVolumeAlmostFull", { namespace: "pacstack-monitoring", persistentvolumeclaim: "prometheus" }, "95%")] },
        ],
    },
    {
        name: "PostgreSQL down: the exporter cannot reach the server",
        series: {
            [series("pg_up", { ...TARGETS.postgres, ...pod("postgresql-0", "10.0.0.2") })]: "1 1 0x10",
            [series("up", { ...TARGETS.postgres, ...pod("postgresql-0", "10.0.0.2") })]: "1x12",
        },
        cases: [
            { at: "2m", alert: "PacstackPostgresDown", fires: [] },
            { at: "5m", alert: "PacstackPostgresDown", fires: [fires("PacstackPostgresDown", { ...TARGETS.postgres, ...pod("postgresql-0", "10.0.0.2") })] },
        ],
    },
    {
        name: "PostgreSQL down: the pod (and its exporter) gone",
        series: { [series("up", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })]: "1x10" },
        cases: [{ at: "5m", alert: "PacstackPostgresDown", fires: [fires("PacstackPostgresDown", TARGETS.postgres)] }],
    },
    {
        name: "PostgreSQL over 80 % of its connections",
        series: {
            [series("pg_stat_activity_count", { ...TARGETS.postgres, ...pod("postgresql-0", "10.0.0.2"), datname: "orthanc", state: "active" })]: "10x10",
            [series("pg_stat_activity_count", { ...TARGETS.postgres, ...pod("postgresql-0", "10.0.0.2"), datname: "orthanc", state: "idle" })]: "75x10",
            [series("pg_settings_max_connections", { ...TARGETS.postgres, ...pod("postgresql-0", "10.0.0.2") })]: "100x10",
            [series("pg_stat_activity_count", { ...TARGETS.postgres, ...pod("postgresql-1", "10.0.0.4"), datname: "orthanc", state: "idle" })]: "50x10",
            [series("pg_settings_max_connections", { ...TARGETS.postgres, ...pod("postgresql-1", "10.0.0.4") })]: "100x10",
        },
        cases: [
            { at: "3m", alert: "PacstackPostgresConnections", fires: [] },
            { at: "8m", alert: "PacstackPostgresConnections", fires: [fires("PacstackPostgresConnections", { ...TARGETS.postgres, ...pod("postgresql-0", "10.0.0.2") }, "85%")] },
        ],
    },
];

const edgeTests: PromtoolTest[] = [
    {
        name: "certificates: pacstack's issued ones (recorded expiries) and the one the edge serves",
        series: {
            [series("traefik_tls_certs_not_after", { ...TARGETS.traefik, cn: "pacs.example.org", sans: "pacs.example.org", serial: "1" })]: "1209600x150",
            [series("traefik_tls_certs_not_after", { ...TARGETS.traefik, cn: "later.example.org", sans: "later.example.org", serial: "2" })]: "5184000x150",
        },
        cases: [
            { at: "30m", alert: "PacstackCertificateExpiring", fires: [] },
            { at: "2h", alert: "PacstackCertificateExpiring", fires: [fires("PacstackCertificateExpiring", { certificate: "soon" }, "13d 22h 0m 0s")] },
            { at: "30m", alert: "PacstackServedCertificateExpiring", fires: [] },
            {
                at: "2h",
                alert: "PacstackServedCertificateExpiring",
                fires: [fires("PacstackServedCertificateExpiring", { ...TARGETS.traefik, cn: "pacs.example.org", sans: "pacs.example.org", serial: "1" }, "13d 22h 0m 0s")],
            },
        ],
    },
    {
        name: "edge 5xx ratio over 5 % per service",
        series: {
            [series("traefik_service_requests_total", { ...TARGETS.traefik, service: "a@kubernetescrd", method: "GET", code: "500" })]: "0+12x20",
            [series("traefik_service_requests_total", { ...TARGETS.traefik, service: "a@kubernetescrd", method: "GET", code: "200" })]: "0+120x20",
            [series("traefik_service_requests_total", { ...TARGETS.traefik, service: "b@kubernetescrd", method: "GET", code: "503" })]: "0+1x20",
            [series("traefik_service_requests_total", { ...TARGETS.traefik, service: "b@kubernetescrd", method: "GET", code: "200" })]: "0+120x20",
        },
        cases: [
            { at: "5m", alert: "PacstackEdgeErrors", fires: [] },
            { at: "15m", alert: "PacstackEdgeErrors", fires: [fires("PacstackEdgeErrors", { service: "a@kubernetescrd" }, "9.091%")] },
        ],
    },
    {
        name: "edge, Keycloak and oauth2-proxy down",
        series: {
            [series("up", { ...TARGETS.traefik, ...pod("traefik-0", "10.0.1.1") })]: "1 1 0x10",
            [series("up", { ...TARGETS.keycloak, ...pod("keycloak-0", "10.0.0.5") })]: "1 1 0x10",
            [series("up", { ...TARGETS.oauth2Proxy, ...pod("oauth2-proxy-0", "10.0.0.6") })]: "1 1 0x10",
        },
        cases: [
            { at: "2m", alert: "PacstackEdgeDown", fires: [] },
            { at: "5m", alert: "PacstackEdgeDown", fires: [fires("PacstackEdgeDown", { ...TARGETS.traefik, ...pod("traefik-0", "10.0.1.1") })] },
            { at: "5m", alert: "PacstackKeycloakDown", fires: [] }, // for 5m: still pending
            { at: "8m", alert: "PacstackKeycloakDown", fires: [fires("PacstackKeycloakDown", { ...TARGETS.keycloak, ...pod("keycloak-0", "10.0.0.5") })] },
            { at: "2m", alert: "PacstackOauth2ProxyDown", fires: [] },
            { at: "5m", alert: "PacstackOauth2ProxyDown", fires: [fires("PacstackOauth2ProxyDown", { ...TARGETS.oauth2Proxy, ...pod("oauth2-proxy-0", "10.0.0.6") })] },
        ],
    },
];

const BACKUP = "pacstack-postgresql-backup";
const ksm = { job: "kube-state-metrics", namespace: "pacstack" };
function backupJob(job: string, owner: string, start: number, failed: number) {
    return {
        [series("kube_job_owner", { ...ksm, job_name: job, owner_kind: "CronJob", owner_name: owner, owner_is_controller: "true" })]: "1x30",
        [series("kube_job_status_start_time", { ...ksm, job_name: job })]: `${start}x30`,
        [series("kube_job_status_failed", { ...ksm, job_name: job, reason: "BackoffLimitExceeded" })]: `${failed}x30`,
    };
}
const lastSuccess = (at: number) => ({ [series("kube_cronjob_status_last_successful_time", { ...ksm, cronjob: BACKUP })]: `${at}x500` });
const created = (at: number) => ({ [series("kube_cronjob_created", { ...ksm, cronjob: BACKUP })]: `${at}x500` });

const backupTests: PromtoolTest[] = [
    {
        interval: "4m",
        name: "backup failed: the latest run failed after the last success; another CronJob's failure ignored",
        series: { ...backupJob(`${BACKUP}-1`, BACKUP, 3600, 1), ...backupJob("other-1", "other", 3600, 1), ...lastSuccess(100), ...created(0) },
        cases: [{ at: "5m", alert: "PacstackBackupFailed", fires: [fires("PacstackBackupFailed", { namespace: "pacstack", owner_name: BACKUP })] }],
    },
    {
        interval: "4m",
        name: "backup failed: quiet once a later run succeeded, or while no run failed",
        series: { ...backupJob(`${BACKUP}-1`, BACKUP, 3600, 1), ...backupJob(`${BACKUP}-2`, BACKUP, 4000, 0), ...lastSuccess(5000), ...created(0) },
        cases: [{ at: "5m", alert: "PacstackBackupFailed", fires: [] }],
    },
    {
        interval: "4m",
        name: "backup failed: no run ever succeeded",
        series: { ...backupJob(`${BACKUP}-1`, BACKUP, 3600, 1), ...created(0) },
        cases: [{ at: "5m", alert: "PacstackBackupFailed", fires: [fires("PacstackBackupFailed", { namespace: "pacstack", owner_name: BACKUP })] }],
    },
    {
        interval: "4m",
        name: "backup too old: the last success 29.7 hours ago",
        series: { ...lastSuccess(1000), ...created(0) },
        cases: [
            { at: "20h", alert: "PacstackBackupTooOld", fires: [] },
            { at: "30h", alert: "PacstackBackupTooOld", fires: [fires("PacstackBackupTooOld", { ...ksm, cronjob: BACKUP })] },
        ],
    },
    {
        interval: "4m",
        name: "backup too old: quiet with a success 2.2 hours ago; firing when none succeeded since the CronJob was made",
        series: { ...lastSuccess(100000), ...created(0) },
        cases: [{ at: "30h", alert: "PacstackBackupTooOld", fires: [] }],
    },
    {
        interval: "4m",
        name: "backup too old: never succeeded",
        series: created(0),
        cases: [{ at: "30h", alert: "PacstackBackupTooOld", fires: [fires("PacstackBackupTooOld", { ...ksm, cronjob: BACKUP })] }],
    },
];

describe("monitoring: alert rules under promtool (the pinned Prometheus's own rule tests)", function () {
    this.timeout(30 * 60_000); // the first run may build promtool (tests/tools/build.sh)

    for (const [what, tests] of Object.entries({ archive: archiveTests, "volumes and database": storageAndDatabaseTests, "edge and sign-in": edgeTests, backups: backupTests })) {
        it(`${what}: each rule fires when it should and stays quiet otherwise`, async function () {
            const result = await promtoolTestRules(rules, tests);
            assert.equal(result.code, 0, result.output);
            assert.match(result.output, /SUCCESS/);
        });
    }

    it("every alert has at least one promtool case that fires and one that stays quiet", function () {
        const all = [...archiveTests, ...storageAndDatabaseTests, ...edgeTests, ...backupTests].flatMap((t) => t.cases);
        const names = rules.groups.flatMap((g) => g.rules).flatMap((r) => ("alert" in r ? [r.alert] : []));
        for (const name of new Set(names)) {
            assert.ok(all.some((c) => c.alert === name && c.fires.length > 0), `${name}: no firing case`);
            assert.ok(all.some((c) => c.alert === name && c.fires.length === 0), `${name}: no quiet case`);
        }
    });

    it("can fail: promtool reports an alert expected to fire that stays quiet, and a wrong annotation", async function () {
        const wrong: PromtoolTest[] = [
            {
                name: "archive up but expected down",
                series: { [series("up", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })]: "1x10" },
                cases: [{ at: "5m", alert: "PacstackArchiveDown", fires: [fires("PacstackArchiveDown", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })] }],
            },
            {
                name: "archive down with another runbook",
                series: { [series("up", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") })]: "0x10" },
                cases: [{
                    at: "5m",
                    alert: "PacstackArchiveDown",
                    fires: [{ ...fires("PacstackArchiveDown", { ...TARGETS.orthanc, ...pod("orthanc-0", "10.0.0.1") }), annotations: { runbook: "restart it" } }],
                }],
            },
        ];
        const result = await promtoolTestRules(rules, wrong);
        assert.equal(result.code, 1, result.output);
        assert.match(result.output, /archive up but expected down[\s\S]*alertname: PacstackArchiveDown/);
        assert.match(result.output, /archive down with another runbook[\s\S]*restart it/);
    });
});
