import { KubeApiServer } from "../kube/apiserver";
import { pinnedTools } from "../kube/tools";
import { freePort, RunningProcess, startProcess, waitFor } from "./processes";

export interface RunningKubeStateMetrics {
    /** Port of the object metrics (/metrics). */
    readonly port: number;
    readonly process: RunningProcess;
    stop(): Promise<void>;
}

/**
 * The real kube-state-metrics (the version kube-prometheus-stack deploys, built from its Go module) reading a real
 * API server with the admin kubeconfig, limited to the resources and namespaces given.
 */
export async function startKubeStateMetrics(api: KubeApiServer, resources: string[], namespaces: string[], logName = "kube-state-metrics"): Promise<RunningKubeStateMetrics> {
    const tools = await pinnedTools();
    const [port, telemetryPort] = [await freePort(), await freePort()];
    const proc = startProcess(logName, tools["kube-state-metrics"], [
        `--kubeconfig=${api.kubeconfigPath}`,
        "--host=127.0.0.1",
        `--port=${port}`,
        "--telemetry-host=127.0.0.1",
        `--telemetry-port=${telemetryPort}`,
        `--resources=${resources.join(",")}`,
        `--namespaces=${namespaces.join(",")}`,
    ]);
    await waitFor("kube-state-metrics serving", async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).status === 200, { process: proc, timeoutMs: 60_000, intervalMs: 500 });
    return { port, process: proc, stop: () => proc.stop(5_000) };
}
