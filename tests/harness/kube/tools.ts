import { join } from "node:path";
import { runTool } from "../real/tools";
import { REPO_ROOT } from "../stack-config";

/** The programs tests/tools/build.sh builds from their pinned Go modules. */
export type ToolName = "kube-apiserver" | "etcd" | "kubectl" | "traefik" | "oauth2-proxy" | "prometheus" | "promtool" | "postgres_exporter" | "amtool" | "kube-state-metrics" | "rclone";

let built: Promise<Record<ToolName, string>> | undefined;

/**
 * Paths of the pinned tools, from tests/tools/build.sh (run once per test process; cheap when the cache under
 * ~/.cache/pacstack-tools already holds them, which `.ci/run` sees to before `npm test`).
 */
export function pinnedTools(): Promise<Record<ToolName, string>> {
    built ??= runTool("bash", [join(REPO_ROOT, "tests/tools/build.sh")], { timeoutMs: 60 * 60_000 }).then((result) => {
        if (result.code !== 0) {
            throw new Error(`tests/tools/build.sh exited ${result.code} (Go must be on PATH):\n${result.output}`);
        }
        const paths = Object.fromEntries(result.stdout.trim().split("\n").map((line) => line.split(" ")));
        for (const name of ["kube-apiserver", "etcd", "kubectl", "traefik", "oauth2-proxy", "prometheus", "promtool", "postgres_exporter", "amtool", "kube-state-metrics", "rclone"]) {
            if (!paths[name]) throw new Error(`tests/tools/build.sh printed no path for ${name}:\n${result.output}`);
        }
        return paths as Record<ToolName, string>;
    });
    return built;
}

/** Output of `go env <name>` (for the Go module cache, where the pinned modules' files are read from). */
export async function goEnv(name: string): Promise<string> {
    const result = await runTool("go", ["env", name]);
    if (result.code !== 0) throw new Error(`go env ${name}: ${result.output}`);
    return result.stdout.trim();
}
