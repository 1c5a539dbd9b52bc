/**
 * Orthanc answers 401 to every unauthenticated request, so Kubernetes' httpGet probes cannot be used without
 * writing a credential into the pod spec. This script (run by the image's python3) reads the first REST user
 * from the mounted credentials file and calls one route on loopback; it exits 0 only on HTTP 200.
 * On /system it also requires the PostgreSQL index: Orthanc only logs a missing plugin and would otherwise
 * run on a SQLite index inside the storage volume, invisible to the other replicas.
 * With `caFile`, Orthanc serves HTTPS: the probe verifies the chain against that CA but not the host name (the
 * certificate names the Service; the probe calls 127.0.0.1 inside the pod).
 */
export function renderProbeScript(credentialsFile: string, httpPort: number, caFile?: string): string {
    const tls = caFile
        ? ["import ssl", `context = ssl.create_default_context(cafile=${JSON.stringify(caFile)})`, "context.check_hostname = False"]
        : ["context = None"];
    return [
        "import base64, json, sys, urllib.request",
        ...tls,
        `users = json.load(open(${JSON.stringify(credentialsFile)}))["RegisteredUsers"]`,
        "user, password = sorted(users.items())[0]",
        "token = base64.b64encode(f'{user}:{password}'.encode()).decode()",
        `request = urllib.request.Request("${caFile ? "https" : "http"}://127.0.0.1:${httpPort}" + sys.argv[1], headers={"Authorization": "Basic " + token})`,
        "body = urllib.request.urlopen(request, timeout=4, context=context).read()",
        `if sys.argv[1] == "${LIVENESS_PATH}" and not json.loads(body).get("DatabaseBackendPlugin"):`,
        `    sys.exit("Orthanc runs without its database plugin")`,
    ].join("\n");
}

/** Liveness asks the process only; readiness also reads the database (the image's own probe uses /changes?last). */
export const LIVENESS_PATH = "/system";
export const READINESS_PATH = "/changes?last";
