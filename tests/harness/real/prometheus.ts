/**
 * A real Prometheus (the pinned build, tests/tools/prometheus) on loopback, with a scrape configuration that is an
 * equivalent rendering of pacstack's PodMonitors: one job per monitor, the labels prometheus-operator gives a
 * PodMonitor's targets (`job` = `<namespace>/<monitor>`, `namespace`, `pod`, `container`, `endpoint`), the path, scheme
 * and basic auth of the monitor's endpoint, and only the address moved to loopback; and of the chart's ServiceMonitor
 * for kube-state-metrics (`job` = its Service, honorLabels). The operator itself does not run here (README: "Alerts
 * and dashboards").
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pinnedTools } from "../kube/tools";
import { freePort, RunningProcess, startProcess, waitFor } from "./processes";

/** One PodMonitor endpoint, as the operator would turn it into a scrape target, on loopback. */
export interface LoopbackMonitor {
    namespace: string;
    /** The PodMonitor's name. */
    monitor: string;
    pod: string;
    container: string;
    /** The endpoint's port name. */
    endpoint: string;
    /** host:port on loopback standing in for the pod's IP and port. */
    address: string;
    path: string;
    /** @default http */
    scheme?: "http" | "https";
    basicAuth?: { username: string; password: string };
    /** CA file for https targets. */
    caFile?: string;
    /**
     * A ServiceMonitor's target with `honorLabels` (kube-state-metrics): `job` is the Service's name and the exporter's
     * own `namespace` labels (the objects') win over the target's. @default a PodMonitor's target
     */
    serviceMonitor?: { service: string; honorLabels: boolean };
}

export interface RunningPrometheus {
    readonly url: string;
    readonly process: RunningProcess;
    /** An instant query's result vector. */
    query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
    /** Alerts in the firing state (Prometheus's /api/v1/alerts). */
    firing(): Promise<{ labels: Record<string, string>; annotations: Record<string, string> }[]>;
    /** Every metric name Prometheus has stored (its __name__ label values). */
    metricNames(): Promise<string[]>;
    stop(): Promise<void>;
}

/** The scrape configuration for these monitors (JSON is YAML). */
export function renderLoopbackScrapeConfig(monitors: LoopbackMonitor[], secretsDir: string, interval = "3s") {
    mkdirSync(secretsDir, { recursive: true, mode: 0o700 });
    const jobs = new Map<string, LoopbackMonitor[]>();
    for (const m of monitors) {
        const key = `${m.serviceMonitor ? "serviceMonitor" : "podMonitor"}/${m.namespace}/${m.monitor}/0`;
        jobs.set(key, [...(jobs.get(key) ?? []), m]);
    }
    return {
        // Short intervals keep the live test short; the timeout is generous for a loaded 2-core machine.
        global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: "1s" },
        rule_files: ["rules/*.yaml"],
        scrape_configs: [...jobs].map(([jobName, ms]) => {
            const first = ms[0];
            const passwordFile = join(secretsDir, `${first.namespace}-${first.monitor}`);
            if (first.basicAuth) writeFileSync(passwordFile, first.basicAuth.password, { mode: 0o600 });
            return {
                job_name: jobName,
                metrics_path: first.path,
                scheme: first.scheme ?? "http",
                ...(first.basicAuth ? { basic_auth: { username: first.basicAuth.username, password_file: passwordFile } } : {}),
                ...(first.caFile ? { tls_config: { ca_file: first.caFile } } : {}),
                ...(first.serviceMonitor?.honorLabels ? { honor_labels: true } : {}),
                static_configs: ms.map((m) => ({
                    targets: [m.address],
                    labels: {
                        job: m.serviceMonitor ? m.serviceMonitor.service : `${m.namespace}/${m.monitor}`,
                        namespace: m.namespace,
                        pod: m.pod,
                        container: m.container,
                        endpoint: m.endpoint,
                        ...(m.serviceMonitor ? { service: m.serviceMonitor.service } : {}),
                    },
                })),
            };
        }),
    };
}

/** Starts Prometheus with these monitors and rule groups; returns once it is ready. */
export async function startPrometheus(dir: string, monitors: LoopbackMonitor[], rules: unknown, logName = "prometheus"): Promise<RunningPrometheus> {
    const { prometheus } = await pinnedTools();
    mkdirSync(join(dir, "rules"), { recursive: true });
    writeFileSync(join(dir, "rules", "pacstack.yaml"), JSON.stringify(rules, null, 1));
    writeFileSync(join(dir, "prometheus.yaml"), JSON.stringify(renderLoopbackScrapeConfig(monitors, join(dir, "secrets")), null, 1));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const proc = startProcess(logName, prometheus, [
        `--config.file=${join(dir, "prometheus.yaml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${port}`,
    ], { cwd: dir });
    await waitFor(`Prometheus on ${url}`, async () => (await fetch(`${url}/-/ready`)).status === 200, { process: proc, timeoutMs: 60_000, intervalMs: 250 });
    const api = async (path: string) => {
        const answer = (await (await fetch(`${url}${path}`)).json()) as { status: string; data: any; error?: string };
        if (answer.status !== "success") throw new Error(`Prometheus ${path}: ${answer.error}`);
        return answer.data;
    };
    return {
        url,
        process: proc,
        query: async (expr) => (await api(`/api/v1/query?query=${encodeURIComponent(expr)}`)).result,
        firing: async () => ((await api("/api/v1/alerts")).alerts as { state: string; labels: Record<string, string>; annotations: Record<string, string> }[]).filter((a) => a.state === "firing"),
        metricNames: async () => api("/api/v1/label/__name__/values"),
        stop: () => proc.stop(10_000),
    };
}
