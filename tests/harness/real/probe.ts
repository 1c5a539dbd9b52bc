import { ORTHANC_HTTP_PORT } from "../../../components/orthanc/config";
import { CREDENTIALS_FILE, ORTHANC_MOUNTS } from "../../../components/orthanc/paths";
import { renderProbeScript } from "../../../components/orthanc/probe";
import { requireBinary } from "./binaries";
import { runTool, ToolResult } from "./tools";

/**
 * Runs the pod's probe script (as rendered for the pod) against a loopback Orthanc: only the credentials file
 * and the port are rewritten, exactly as kubelet would run it inside the pod.
 */
export function runProbe(server: { credentialsFile: string; httpPort: number }, path: string): Promise<ToolResult> {
    const productionFile = JSON.stringify(`${ORTHANC_MOUNTS.config}/${CREDENTIALS_FILE}`);
    const productionUrl = `"http://127.0.0.1:${ORTHANC_HTTP_PORT}"`;
    const script = renderProbeScript(`${ORTHANC_MOUNTS.config}/${CREDENTIALS_FILE}`, ORTHANC_HTTP_PORT);
    if (script.split(productionFile).length !== 2 || script.split(productionUrl).length !== 2) {
        throw new Error("the probe script must name the credentials file and the loopback URL once each");
    }
    const local = script.replace(productionFile, JSON.stringify(server.credentialsFile)).replace(productionUrl, `"http://127.0.0.1:${server.httpPort}"`);
    return runTool(requireBinary("python3"), ["-c", local, path], { timeoutMs: 10_000 });
}
