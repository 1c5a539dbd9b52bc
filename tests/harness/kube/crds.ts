import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { runTool } from "../real/tools";
import { waitFor } from "../real/processes";
import { REPO_ROOT } from "../stack-config";
import { KubeClient, KubeObject } from "./client";

/** Where the CRDs of Traefik's pinned module are (its published docs folder in the Go module cache). */
const TRAEFIK_CRD_FILE = "docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml";

/** Folder of a module in the Go module cache, downloaded at the version tests/tools/<folder>/go.mod pins. */
async function moduleDir(toolFolder: string, module: string): Promise<string> {
    const result = await runTool("go", ["mod", "download", "-json", module], {
        cwd: join(REPO_ROOT, "tests/tools", toolFolder),
        env: { ...process.env, GOFLAGS: "-mod=mod" },
        timeoutMs: 10 * 60_000,
    });
    if (result.code !== 0) throw new Error(`go mod download ${module}: ${result.output}`);
    return JSON.parse(result.stdout).Dir as string;
}

/** Traefik's CustomResourceDefinitions, from the module of the exact Traefik version pacstack pins. */
export async function traefikCrds(): Promise<KubeObject[]> {
    const file = join(await moduleDir("traefik", "github.com/traefik/traefik/v3"), TRAEFIK_CRD_FILE);
    if (!existsSync(file)) throw new Error(`${file} is missing: Traefik's module layout changed`);
    return parseAllDocuments(readFileSync(file, "utf8"))
        .map((d) => d.toJS() as KubeObject | null)
        .filter((d): d is KubeObject => d !== null && d.kind === "CustomResourceDefinition");
}

/** Applies CRDs and waits until the server reports each Established (so their kinds can be applied). */
export async function installCrds(client: KubeClient, crds: KubeObject[]): Promise<void> {
    for (const crd of crds) await client.apply(crd);
    for (const crd of crds) {
        const path = await client.pathOf(crd.apiVersion, crd.kind, undefined, crd.metadata.name);
        const established = async () => {
            const current = await client.ok("GET", path);
            return (current.status?.conditions ?? []).some((c: any) => c.type === "Established" && c.status === "True");
        };
        await waitFor(`CRD ${crd.metadata.name} Established`, established, { timeoutMs: 60_000, intervalMs: 200 });
    }
}
