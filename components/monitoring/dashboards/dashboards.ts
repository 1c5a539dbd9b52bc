import { CERTIFICATE_EXPIRY_METRIC } from "../rules/alerts";
import { anyOf, Matchers, promString, selector } from "../rules/promql";
import { dashboard, DashboardDocument, PanelSpec } from "./panels";

/** What the dashboards select: the same target matchers as the alert rules (AlertTargets). */
export interface DashboardsInput {
    targets: { orthanc?: Matchers; postgres?: Matchers; traefik?: Matchers; keycloak?: Matchers; oauth2Proxy?: Matchers };
    /** Namespaces whose PersistentVolumeClaims the archive dashboard shows. */
    volumeNamespaces: string[];
    /** Orthanc's DICOM threads (DicomThreadsCount): busy = this minus the free ones. @default 4 (Orthanc's default, which pacstack keeps) */
    orthancDicomThreads?: number;
}

/** ConfigMap file name → dashboard, for the Grafana sidecar (one ConfigMap per dashboard, labelled grafana_dashboard). */
export type RenderedDashboards = Record<string, DashboardDocument>;

const rate = (metric: string, s: string, window = "5m") => `rate(${metric}${s}[${window}])`;

function archive(m: Matchers, input: DashboardsInput): DashboardDocument {
    const s = selector(m);
    const threads = input.orthancDicomThreads ?? 4;
    const volumes = input.volumeNamespaces.length > 0 ? `{namespace=~${promString(anyOf([...input.volumeNamespaces].sort()))}}` : "";
    const panels: PanelSpec[] = [
        { title: "Instances stored per second", description: "Growth of the index (Orthanc's instance count), per Orthanc pod.", unit: "ops",
          queries: [{ expr: `clamp_min(deriv(orthanc_count_instances${s}[5m]), 0)`, legend: "{{pod}}" }] },
        { title: "Store duration", description: "Longest C-STORE/STOW of the last 10 s, per pod (Orthanc's own maximum).", unit: "ms",
          queries: [{ expr: `orthanc_store_dicom_duration_ms${s}`, legend: "{{pod}}" }] },
        { title: "Jobs", description: "Orthanc's jobs (forwarding, archives, modifications): waiting, running, and failed in the last hour.", unit: "short",
          queries: [
              { expr: `sum(orthanc_jobs_pending${s})`, legend: "pending" },
              { expr: `sum(orthanc_jobs_running${s})`, legend: "running" },
              { expr: `sum(increase(orthanc_jobs_failed${s}[1h]))`, legend: "failed (1 h)" },
          ] },
        { title: "DICOM threads in use", description: `Associations being served, of ${threads} threads per pod; all busy means new associations wait.`, unit: "short", max: threads,
          queries: [{ expr: `${threads} - orthanc_available_dicom_threads${s}`, legend: "{{pod}}" }] },
        { title: "REST latency", description: "Longest REST/DICOMweb answer of the last 10 s, per pod, and the requests in progress.", unit: "ms",
          queries: [
              { expr: `orthanc_rest_api_duration_ms${s}`, legend: "{{pod}} longest" },
              { expr: `orthanc_rest_api_active_requests${s}`, legend: "{{pod}} in progress" },
          ] },
        { title: "Stored data", description: "Size of the stored DICOM files (Orthanc's count, MiB).", unit: "decmbytes",
          queries: [{ expr: `max(orthanc_disk_size_mb${s})`, legend: "stored" }] },
        { title: "Volumes", description: "Used share of each claim (alerts at 80 % and 90 %).", unit: "percentunit", max: 1,
          queries: [{ expr: `kubelet_volume_stats_used_bytes${volumes} / kubelet_volume_stats_capacity_bytes${volumes}`, legend: "{{namespace}}/{{persistentvolumeclaim}}" }] },
        { title: "Logged errors", description: "Errors Orthanc logged in the last 5 minutes (refused associations, failed stores).", unit: "short",
          queries: [{ expr: `increase(orthanc_logged_errors_count${s}[5m])`, legend: "{{pod}}" }] },
        { title: "Studies", description: "Studies in the index.", unit: "short", kind: "stat", queries: [{ expr: `max(orthanc_count_studies${s})`, legend: "studies" }] },
        { title: "Orthanc up", description: "1 while Prometheus reaches each pod's metrics.", unit: "short", kind: "stat", queries: [{ expr: `up${s}`, legend: "{{pod}}" }] },
    ];
    return dashboard("pacstack-archive", "pacstack / Archive (Orthanc)", "Storing, serving and disk of the Orthanc archive.", panels);
}

function database(m: Matchers): DashboardDocument {
    const s = selector(m);
    const panels: PanelSpec[] = [
        { title: "Connections against the maximum", description: "Sessions of the server (every state) and max_connections; alert at 80 %.", unit: "short",
          queries: [
              { expr: `sum by (pod) (pg_stat_activity_count${s})`, legend: "{{pod}} sessions" },
              { expr: `max by (pod) (pg_settings_max_connections${s})`, legend: "{{pod}} maximum" },
          ] },
        { title: "Transactions", description: "Commits and rollbacks per second, per database.", unit: "ops",
          queries: [
              { expr: `sum by (datname) (${rate("pg_stat_database_xact_commit", s)})`, legend: "{{datname}} commits" },
              { expr: `sum by (datname) (${rate("pg_stat_database_xact_rollback", s)})`, legend: "{{datname}} rollbacks" },
          ] },
        { title: "Locks", description: "Locks held, by mode.", unit: "short", queries: [{ expr: `sum by (mode) (pg_locks_count${s})`, legend: "{{mode}}" }] },
        { title: "Database size", description: "Size of each database.", unit: "bytes", queries: [{ expr: `pg_database_size_bytes${s}`, legend: "{{datname}}" }] },
        { title: "Deadlocks and conflicts", description: "Deadlocks detected per second, per database.", unit: "ops",
          queries: [{ expr: `sum by (datname) (${rate("pg_stat_database_deadlocks", s)})`, legend: "{{datname}}" }] },
        { title: "PostgreSQL up", description: "1 while the exporter reaches the server.", unit: "short", kind: "stat", queries: [{ expr: `pg_up${s}`, legend: "{{pod}}" }] },
    ];
    return dashboard("pacstack-database", "pacstack / Database (PostgreSQL)", "The shared PostgreSQL, as its exporter sees it.", panels);
}

function edge(m: Matchers): DashboardDocument {
    const s = selector(m);
    const errors = selector(m, `code=~"5.."`);
    const panels: PanelSpec[] = [
        { title: "Requests per route", description: "Requests per second by Traefik service (one per routed backend).", unit: "reqps",
          queries: [{ expr: `sum by (service) (${rate("traefik_service_requests_total", s)})`, legend: "{{service}}" }] },
        { title: "Latency per route (95th percentile)", description: "Time to answer, 95th percentile, by service.", unit: "s",
          queries: [{ expr: `histogram_quantile(0.95, sum by (service, le) (${rate("traefik_service_request_duration_seconds_bucket", s)}))`, legend: "{{service}}" }] },
        { title: "Error ratio per route", description: "Share of 5xx answers by service (alert over 5 %).", unit: "percentunit",
          queries: [{ expr: `sum by (service) (${rate("traefik_service_requests_total", errors)}) / sum by (service) (${rate("traefik_service_requests_total", s)})`, legend: "{{service}}" }] },
        { title: "Certificate expiry", description: "Days left: the certificates the edge serves and every certificate pacstack issued (alert below 21 days).", unit: "d",
          queries: [
              { expr: `(traefik_tls_certs_not_after${s} - time()) / 86400`, legend: "served: {{cn}}" },
              { expr: `(${CERTIFICATE_EXPIRY_METRIC} - time()) / 86400`, legend: "issued: {{certificate}}" },
          ] },
        { title: "Requests per entrypoint", description: "HTTP requests per second on each entrypoint (web, websecure).", unit: "reqps",
          queries: [{ expr: `sum by (entrypoint) (${rate("traefik_entrypoint_requests_total", s)})`, legend: "{{entrypoint}}" }] },
        { title: "Open connections", description: "Connections open on each entrypoint, DICOM-TLS and HL7 included.", unit: "short",
          queries: [{ expr: `sum by (entrypoint) (traefik_open_connections${s})`, legend: "{{entrypoint}}" }] },
    ];
    return dashboard("pacstack-edge", "pacstack / Edge (Traefik)", "Requests, latency and errors per route, and certificate expiry.", panels);
}

function signIn(input: DashboardsInput): DashboardDocument | undefined {
    const { keycloak, oauth2Proxy } = input.targets;
    const panels: PanelSpec[] = [];
    if (keycloak) {
        const s = selector(keycloak);
        // Keycloak's login form posts to login-actions/authenticate: a redirect (302) signs the person in, the
        // form shown again (200) means a failure (wrong password, locked account).
        const login = (status: string) => selector(keycloak, `method="POST"`, `uri=~".*/login-actions/authenticate"`, `status=${promString(status)}`);
        panels.push(
            { title: "Logins", description: "Sign-ins on Keycloak's login form per minute: successful (redirected on) and failed (the form again).", unit: "short",
              queries: [
                  { expr: `sum(increase(http_server_requests_seconds_count${login("302")}[1m]))`, legend: "signed in" },
                  { expr: `sum(increase(http_server_requests_seconds_count${login("200")}[1m]))`, legend: "failed" },
              ] },
            { title: "Keycloak up", description: "1 while Prometheus reaches Keycloak's management port.", unit: "short", kind: "stat", queries: [{ expr: `up${s}`, legend: "{{pod}}" }] },
        );
    }
    if (oauth2Proxy) {
        const s = selector(oauth2Proxy);
        panels.push(
            { title: "Edge sign-in checks", description: "oauth2-proxy's answers per second: 202 signed in, 401 not signed in (sent to Keycloak), 403 refused (wrong group).", unit: "reqps",
              queries: [{ expr: `sum by (code) (${rate("oauth2_proxy_requests_total", s)})`, legend: "{{code}}" }] },
            { title: "oauth2-proxy up", description: "1 while Prometheus reaches oauth2-proxy's metrics port.", unit: "short", kind: "stat", queries: [{ expr: `up${s}`, legend: "{{pod}}" }] },
        );
    }
    return panels.length > 0 ? dashboard("pacstack-sign-in", "pacstack / Sign-in", "Logins and failures on Keycloak, and the edge's sign-in checks.", panels) : undefined;
}

/** The dashboards of the services that are deployed (a service without targets gets none). */
export function renderDashboards(input: DashboardsInput): RenderedDashboards {
    const t = input.targets;
    const out: RenderedDashboards = {};
    if (t.orthanc) out["pacstack-archive.json"] = archive(t.orthanc, input);
    if (t.postgres) out["pacstack-database.json"] = database(t.postgres);
    if (t.traefik) out["pacstack-edge.json"] = edge(t.traefik);
    const signin = signIn(input);
    if (signin) out["pacstack-sign-in.json"] = signin;
    return out;
}
