/**
 * Orthanc answers 401 to every unauthenticated request, so Kubernetes' httpGet probes cannot be used without
 * writing a credential into the pod spec. This script (run by the image's python3) reads the first REST user
 * from the mounted credentials file and calls one route on loopback; it exits 0 only on HTTP 200.
 */
export function renderProbeScript(credentialsFile: string, httpPort: number): string {
    return [
        "import base64, json, sys, urllib.request",
        `users = json.load(open(${JSON.stringify(credentialsFile)}))["RegisteredUsers"]`,
        "user, password = sorted(users.items())[0]",
        "token = base64.b64encode(f'{user}:{password}'.encode()).decode()",
        `request = urllib.request.Request("http://127.0.0.1:${httpPort}" + sys.argv[1], headers={"Authorization": "Basic " + token})`,
        "sys.exit(0 if urllib.request.urlopen(request, timeout=4).status == 200 else 1)",
    ].join("\n");
}

/** Liveness asks the process only; readiness also reads the database (the image's own probe uses /changes?last). */
export const LIVENESS_PATH = "/system";
export const READINESS_PATH = "/changes?last";
