import { anyOf, duration, Matchers, promString, selector } from "./promql";

/** Every alert pacstack defines; README ("Alerts") explains each. */
export const ALERT_NAMES = [
    "PacstackArchiveDown",
    "PacstackArchiveNotStoring",
    "PacstackArchiveStoreErrors",
    "PacstackArchiveLoggedErrors",
    "PacstackVolumeFilling",
    "PacstackVolumeAlmostFull",
    "PacstackPostgresDown",
    "PacstackPostgresConnections",
    "PacstackCertificateExpiring",
    "PacstackServedCertificateExpiring",
    "PacstackEdgeDown",
    "PacstackEdgeErrors",
    "PacstackKeycloakDown",
    "PacstackOauth2ProxyDown",
    "PacstackBackupFailed",
    "PacstackBackupTooOld",
] as const;
export type AlertName = (typeof ALERT_NAMES)[number];

/** The services whose scrape targets the rules select; a service left out (not deployed) gets no rules. */
export interface AlertTargets {
    /** The Orthanc pods' targets (e.g. a PodMonitor's `{namespace, job: "{{ $labels.namespace }}/<monitor>"}`). */
    orthanc?: Matchers;
    /** PostgreSQL's exporter (the chart's metrics sidecar). */
    postgres?: Matchers;
    traefik?: Matchers;
    keycloak?: Matchers;
    oauth2Proxy?: Matchers;
}

export interface AlertRulesInput {
    targets: AlertTargets;
    /** Namespaces whose PersistentVolumeClaims are watched (kubelet volume stats). */
    volumeNamespaces: string[];
    /** The backup CronJobs (components/backup), by namespace and name (kube-state-metrics' job metrics). */
    backupCronJobs: { namespace: string; name: string }[];
    /** When each certificate pacstack issued expires, by id (the certificateExpiries stack output, RFC 3339). */
    certificateExpiries: Record<string, string>;
    /** Traefik's `service` label of each archive backend (`{{ $labels.namespace }}-<service>-<port>@kubernetescrd`): its upload errors. */
    archiveEdgeServices: string[];
    /**
     * Orthanc's MaximumStorageSize in MiB (its `orthanc_disk_size_mb` unit); beyond it every store is refused.
     * @default none: no storage-ceiling rule
     */
    orthancStorageCeilingMiB?: number;
    /** Alert before a certificate expires, in days. @default 21 */
    certificateWarningDays?: number;
    /** Longest time without a successful backup, in hours (daily schedule plus slack). @default 26 */
    backupMaxAgeHours?: number;
    /** `for:` per alert instead of its default (the live tests shorten them; an operator may lengthen them). */
    for?: Partial<Record<AlertName, string>>;
}

export interface AlertRule {
    alert: AlertName;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning"; [name: string]: string };
    annotations: { summary: string; description: string; runbook: string };
}
export interface RecordingRule {
    record: string;
    expr: string;
    labels: Record<string, string>;
}
export interface RuleGroup {
    name: string;
    rules: (AlertRule | RecordingRule)[];
}

/** The series the certificate rules read: one per certificate pacstack issued, its expiry as a Unix time. */
export const CERTIFICATE_EXPIRY_METRIC = "pacstack_certificate_expiry_timestamp_seconds";

const DEFAULT_FOR: Record<AlertName, string> = {
    PacstackArchiveDown: "2m",
    PacstackArchiveNotStoring: "10m",
    PacstackArchiveStoreErrors: "5m",
    PacstackArchiveLoggedErrors: "5m",
    PacstackVolumeFilling: "15m",
    PacstackVolumeAlmostFull: "5m",
    PacstackPostgresDown: "2m",
    PacstackPostgresConnections: "5m",
    PacstackCertificateExpiring: "1h",
    PacstackServedCertificateExpiring: "1h",
    PacstackEdgeDown: "2m",
    PacstackEdgeErrors: "10m",
    PacstackKeycloakDown: "5m",
    PacstackOauth2ProxyDown: "2m",
    PacstackBackupFailed: "0m",
    PacstackBackupTooOld: "1h",
};

/** The labels one target's alerts keep (a PodMonitor's; instance on any scrape). */
const BY = "job, namespace, pod, instance";

/** Down: the target answers no scrape, or has no target at all (no pod). */
const down = (m: Matchers) => `up${selector(m)} == 0 or absent(up${selector(m)})`;

function unixSeconds(id: string, rfc3339: string): number {
    const ms = Date.parse(rfc3339);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(rfc3339) || Number.isNaN(ms)) throw new Error(`certificate "${id}": "${rfc3339}" is not an RFC 3339 time`);
    return Math.floor(ms / 1000);
}

/**
 * The PrometheusRule groups (also a `promtool` rule file as they are): every alert with a severity, a summary, a
 * description and a one-line runbook. Pure: the same input always gives the same document.
 */
export function renderAlertRules(input: AlertRulesInput): { groups: RuleGroup[] } {
    for (const name of Object.keys(input.for ?? {})) {
        if (!(ALERT_NAMES as readonly string[]).includes(name)) throw new Error(`for: "${name}" is not one of pacstack's alerts`);
    }
    const forOf = (name: AlertName) => duration(input.for?.[name] ?? DEFAULT_FOR[name], `for of ${name}`);
    const rule = (alert: AlertName, severity: "critical" | "warning", expr: string, text: AlertRule["annotations"], labels: Record<string, string> = {}): AlertRule => ({
        alert,
        expr,
        for: forOf(alert),
        labels: { severity, ...labels },
        annotations: text,
    });
    const t = input.targets;
    const days = input.certificateWarningDays ?? 21;
    const maxAgeHours = input.backupMaxAgeHours ?? 26;
    const groups: RuleGroup[] = [];
    const add = (name: string, rules: (AlertRule | RecordingRule | undefined)[]) => {
        const kept = rules.filter((r): r is AlertRule | RecordingRule => r !== undefined);
        if (kept.length > 0) groups.push({ name, rules: kept });
    };

    add("pacstack-archive", t.orthanc ? archiveRules(t.orthanc, input, rule) : []);
    add("pacstack-volumes", volumeRules(input.volumeNamespaces, rule));
    add("pacstack-database", t.postgres ? databaseRules(t.postgres, rule) : []);
    add("pacstack-certificates", [
        ...Object.keys(input.certificateExpiries)
            .sort()
            .map((id): RecordingRule => ({ record: CERTIFICATE_EXPIRY_METRIC, expr: `vector(${unixSeconds(id, input.certificateExpiries[id])})`, labels: { certificate: id } })),
        Object.keys(input.certificateExpiries).length > 0
            ? rule("PacstackCertificateExpiring", "warning", `${CERTIFICATE_EXPIRY_METRIC} - time() < ${days * 86400}`, {
                  summary: `Certificate {{ $labels.certificate }} expires within ${days} days`,
                  description: "pacstack's certificate {{ $labels.certificate }} expires in {{ $value | humanizeDuration }}; only `pulumi up` renews it.",
                  runbook: "Run `pulumi up` (it renews every certificate within certificates.renewBeforeDays of expiry); for a modality, install its new modalityCredentials.",
              })
            : undefined,
        t.traefik
            ? rule("PacstackServedCertificateExpiring", "warning", `traefik_tls_certs_not_after${selector(t.traefik)} - time() < ${days * 86400}`, {
                  summary: `The edge serves a certificate that expires within ${days} days`,
                  description: "Traefik serves the certificate for {{ $labels.cn }} (SANs {{ $labels.sans }}), which expires in {{ $value | humanizeDuration }}.",
                  runbook: "A pacstack certificate: run `pulumi up`. Your own webTlsSecret: renew it (cert-manager or by hand); Traefik serves the new one at once.",
              })
            : undefined,
    ]);
    add("pacstack-edge", t.traefik ? edgeRules(t.traefik, rule) : []);
    add("pacstack-sign-in", [
        t.keycloak
            ? rule("PacstackKeycloakDown", "critical", down(t.keycloak), {
                  summary: "Keycloak is down: nobody can sign in",
                  description: "Keycloak's metrics endpoint {{ $labels.instance }} does not answer (or no Keycloak pod exists).",
                  runbook: "kubectl -n {{ $labels.namespace }} describe pod -l app.kubernetes.io/name=keycloakx; check its logs and its database (PacstackPostgresDown).",
              })
            : undefined,
        t.oauth2Proxy
            ? rule("PacstackOauth2ProxyDown", "critical", down(t.oauth2Proxy), {
                  summary: "oauth2-proxy is down: every signed-in web route fails",
                  description: "The sign-in proxy {{ $labels.instance }} does not answer (or no oauth2-proxy pod exists); Traefik's forwardAuth gets no answer.",
                  runbook: "kubectl -n {{ $labels.namespace }} logs -l app.kubernetes.io/name=oauth2-proxy; a wrong client secret or an unreachable Keycloak shows there.",
              })
            : undefined,
    ]);
    add("pacstack-backup", backupRules(input.backupCronJobs, maxAgeHours, rule));
    return { groups };
}

type RuleMaker = (alert: AlertName, severity: "critical" | "warning", expr: string, text: AlertRule["annotations"], labels?: Record<string, string>) => AlertRule;

function archiveRules(m: Matchers, input: AlertRulesInput, rule: RuleMaker): (AlertRule | undefined)[] {
    const s = selector(m);
    return [
        rule("PacstackArchiveDown", "critical", down(m), {
            summary: "Orthanc is down: no images are stored or served",
            description: "Orthanc's metrics endpoint {{ $labels.instance }} does not answer (or no Orthanc pod exists).",
            runbook: "kubectl -n {{ $labels.namespace }} describe pod -l app.kubernetes.io/name=orthanc and read its log; a database error points at PacstackPostgresDown.",
        }),
        rule("PacstackArchiveNotStoring", "critical", `orthanc_available_dicom_threads${s} == 0`, {
            summary: "Orthanc has no free DICOM thread: new associations wait or are refused",
            description: "Every DICOM thread of {{ $labels.instance }} has been busy; modalities cannot send.",
            runbook: "Look for stalled associations (Orthanc's log, the edge's DICOM connections) and a slow database; restarting the pod frees the threads.",
        }, { reason: "dicom-threads" }),
        input.orthancStorageCeilingMiB
            ? rule("PacstackArchiveNotStoring", "critical", `orthanc_disk_size_mb${s} >= ${Math.floor(input.orthancStorageCeilingMiB * 0.99)}`, {
                  summary: "Orthanc's storage is at its ceiling: every new instance is refused",
                  description: `{{ $labels.instance }} stores {{ $value }} MiB of at most ${input.orthancStorageCeilingMiB} MiB (MaximumStorageSize); C-STORE answers 0xA700.`,
                  runbook: "Grow orthanc.storageSize (`pulumi up` raises the ceiling with it) or delete studies; nothing stored so far is lost.",
              }, { reason: "storage-ceiling" })
            : undefined,
        input.archiveEdgeServices.length > 0 && input.targets.traefik
            ? rule("PacstackArchiveStoreErrors", "warning",
                  `sum by (service) (rate(traefik_service_requests_total${selector(input.targets.traefik, `service=~${promString(anyOf(input.archiveEdgeServices))}`, `method="POST"`, `code=~"5.."`)}[5m])) > 0`, {
                  summary: "Uploads to the archive fail",
                  description: "The edge's service {{ $labels.service }} answers POST (STOW-RS, REST uploads) with 5xx, {{ $value | humanize }} per second.",
                  runbook: "Read Orthanc's log for the failing stores (full volume, database errors); Traefik's access log names the paths.",
              })
            : undefined,
        rule("PacstackArchiveLoggedErrors", "warning", `increase(orthanc_logged_errors_count${s}[15m]) > 5`, {
            summary: "Orthanc logs errors",
            description: "{{ $labels.instance }} logged {{ $value | humanize }} errors in 15 minutes.",
            runbook: "kubectl -n {{ $labels.namespace }} logs -l app.kubernetes.io/name=orthanc | grep ' E'; refused associations and failed stores show there.",
        }),
    ];
}

function volumeRules(namespaces: string[], rule: RuleMaker): AlertRule[] {
    if (namespaces.length === 0) return [];
    const ns = `namespace=~${promString(anyOf([...namespaces].sort()))}`;
    const ratio = `(kubelet_volume_stats_used_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}})`;
    const runbook = "Grow the claim (its storage size setting, then `pulumi up`; the storage class must allow expansion) or free space; Orthanc refuses stores at its ceiling.";
    return [
        rule("PacstackVolumeFilling", "warning", `${ratio} > 0.8 and ${ratio} <= 0.9`, {
            summary: "A volume is over 80 % full",
            description: "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full.",
            runbook,
        }),
        rule("PacstackVolumeAlmostFull", "critical", `${ratio} > 0.9`, {
            summary: "A volume is over 90 % full",
            description: "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full.",
            runbook,
        }),
    ];
}

function databaseRules(m: Matchers, rule: RuleMaker): AlertRule[] {
    const s = selector(m);
    return [
        rule("PacstackPostgresDown", "critical", `pg_up${s} == 0 or ${down(m)}`, {
            summary: "PostgreSQL is down: Orthanc and Keycloak cannot work",
            description: "The exporter {{ $labels.instance }} cannot reach PostgreSQL, or the database pod is gone.",
            runbook: "kubectl -n {{ $labels.namespace }} describe pod -l app.kubernetes.io/name=postgresql and read its log (a full volume: PacstackVolumeAlmostFull).",
        }),
        rule("PacstackPostgresConnections", "warning",
            `sum by (${BY}) (pg_stat_activity_count${s}) / on (${BY}) max by (${BY}) (pg_settings_max_connections${s}) > 0.8`, {
            summary: "PostgreSQL uses over 80 % of its connections",
            description: "{{ $labels.instance }} holds {{ $value | humanizePercentage }} of max_connections; at 100 % new sessions (a new Orthanc pod) are refused.",
            runbook: "Count sessions per user (SELECT usename, count(*) FROM pg_stat_activity GROUP BY 1); fewer Orthanc replicas or IndexConnectionsCount, or more max_connections.",
        }),
    ];
}

function edgeRules(m: Matchers, rule: RuleMaker): AlertRule[] {
    const requests = (extra: string[]) => `sum by (service) (rate(traefik_service_requests_total${selector(m, ...extra)}[5m]))`;
    return [
        rule("PacstackEdgeDown", "critical", down(m), {
            summary: "Traefik is down: no web or DICOM traffic reaches pacstack",
            description: "Traefik's metrics endpoint {{ $labels.instance }} does not answer (or no Traefik pod exists).",
            runbook: "kubectl -n {{ $labels.namespace }} describe pod -l app.kubernetes.io/name=traefik and read its log.",
        }),
        rule("PacstackEdgeErrors", "warning", `${requests([`code=~"5.."`])} / ${requests([])} > 0.05`, {
            summary: "Over 5 % of the edge's answers are server errors",
            description: "{{ $value | humanizePercentage }} of the requests to {{ $labels.service }} end in 5xx.",
            runbook: "The service names the backend: check that backend's pods and log (502/504: the backend is down or slow; 500: its own error).",
        }),
    ];
}

function backupRules(cronJobs: { namespace: string; name: string }[], maxAgeHours: number, rule: RuleMaker): AlertRule[] {
    if (cronJobs.length === 0) return [];
    const ns = `namespace=~${promString(anyOf([...new Set(cronJobs.map((c) => c.namespace))].sort()))}`;
    const names = anyOf(cronJobs.map((c) => c.name).sort());
    const lastSuccess = `label_replace(kube_cronjob_status_last_successful_time{${ns},cronjob=~${promString(names)}}, "owner_name", "$1", "cronjob", "(.*)")`;
    // The newest failed Job of each backup CronJob that started after the CronJob's last success (or with none yet).
    const failedStart = `max by (namespace, owner_name) (kube_job_status_start_time{${ns}} * on (namespace, job_name) group_left (owner_name) kube_job_owner{${ns},owner_kind="CronJob",owner_name=~${promString(names)}} and on (namespace, job_name) kube_job_status_failed{${ns}} > 0)`;
    return [
        rule("PacstackBackupFailed", "critical", `${failedStart} > on (namespace, owner_name) ${lastSuccess} or (${failedStart} unless on (namespace, owner_name) ${lastSuccess})`, {
            summary: "A database backup failed",
            description: "The latest run of {{ $labels.namespace }}/{{ $labels.owner_name }} failed after its retries; no newer backup succeeded.",
            runbook: "kubectl -n {{ $labels.namespace }} logs job/<the failed Job> names the failing command (password, unreachable database, full volume); README: Backup and restore.",
        }),
        rule("PacstackBackupTooOld", "warning",
            `time() - kube_cronjob_status_last_successful_time{${ns},cronjob=~${promString(names)}} > ${maxAgeHours * 3600} or (time() - kube_cronjob_created{${ns},cronjob=~${promString(names)}} > ${maxAgeHours * 3600} unless on (namespace, cronjob) kube_cronjob_status_last_successful_time)`, {
            summary: `No database backup succeeded for ${maxAgeHours} hours`,
            description: "{{ $labels.namespace }}/{{ $labels.cronjob }} has no successful run in the last " + `${maxAgeHours} hours.`,
            runbook: "kubectl -n {{ $labels.namespace }} get cronjob,jobs -l app.kubernetes.io/name=database-backup: a suspended CronJob, failing runs (PacstackBackupFailed) or a schedule that no longer fires.",
        }),
    ];
}
