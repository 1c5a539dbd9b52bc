import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestPki } from "../real/pki";
import { freePort, RunningProcess, startProcess, waitFor } from "../real/processes";
import { KubeClient, KubeObject, KubeResponse } from "./client";
import { pinnedTools } from "./tools";

/**
 * Address the API server publishes for itself (the `kubernetes` EndpointSlice in `default`). It listens on
 * 127.0.0.1 only; Kubernetes refuses loopback addresses in Endpoints, so it publishes this TEST-NET-1 address
 * (RFC 5737, never routed), which nothing ever connects to.
 */
export const ADVERTISED_ADDRESS = "192.0.2.10";
/** The Service range the server allocates ClusterIPs from (`kubernetes` gets its first address, 10.96.0.1). */
export const SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/12";

/** A real kube-apiserver backed by a real etcd, both on loopback, started for one test file. */
export interface KubeApiServer {
    /** https://127.0.0.1:<port> */
    url: string;
    /** Bearer token of `admin` (group system:masters). */
    token: string;
    /** PEM file of the CA that signed the serving certificate. */
    caFile: string;
    /** A kubeconfig (token + CA) for programs that read one, e.g. Traefik. */
    kubeconfigPath: string;
    /** The serving port (the `kubernetes` EndpointSlice publishes it with ADVERTISED_ADDRESS). */
    port: number;
    client: KubeClient;
    request(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse>;
    /** Server-side apply with strict field validation; throws with the server's message when refused. */
    apply<T extends KubeObject>(obj: T): Promise<T>;
    /** Stops kube-apiserver and etcd by PID and removes their data. */
    stop(): Promise<void>;
}

function serviceAccountKeys(dir: string): { publicKey: string; privateKey: string } {
    const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const publicKey = join(dir, "sa.pub");
    const privateKey = join(dir, "sa.key");
    writeFileSync(publicKey, pair.publicKey.export({ type: "spki", format: "pem" }));
    writeFileSync(privateKey, pair.privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    return { publicKey, privateKey };
}

function kubeconfig(url: string, caFile: string, token: string): string {
    return JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "test", cluster: { server: url, "certificate-authority": caFile } }],
        users: [{ name: "admin", user: { token } }],
        contexts: [{ name: "test", context: { cluster: "test", user: "admin" } }],
        "current-context": "test",
    });
}

async function startEtcd(binary: string, dir: string): Promise<{ process: RunningProcess; url: string }> {
    const [clientPort, peerPort] = [await freePort(), await freePort()];
    const url = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const process = startProcess("etcd", binary, [
        "--name=test", `--data-dir=${join(dir, "etcd")}`,
        `--listen-client-urls=${url}`, `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`, `--initial-advertise-peer-urls=${peer}`, `--initial-cluster=test=${peer}`,
        // Throwaway data: skipping fsync makes every write of the tests much faster.
        "--unsafe-no-fsync", "--log-level=warn",
    ]);
    const healthy = async () => (await fetch(`${url}/health`)).ok;
    await waitFor("etcd /health", healthy, { timeoutMs: 60_000, process });
    return { process, url };
}

/** Starts etcd and kube-apiserver (pinned builds, see tests/tools) and waits until /readyz answers ok. */
export async function startKubeApiServer(): Promise<KubeApiServer> {
    const tools = await pinnedTools();
    const dir = mkdtempSync(join(tmpdir(), "pacstack-apiserver-"));
    const pki = await createTestPki(join(dir, "pki"));
    const sa = serviceAccountKeys(dir);
    const token = randomBytes(24).toString("hex");
    const tokenFile = join(dir, "tokens.csv");
    writeFileSync(tokenFile, `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });
    const etcd = await startEtcd(tools.etcd, dir);
    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const apiserver = startProcess("kube-apiserver", tools["kube-apiserver"], [
        `--etcd-servers=${etcd.url}`,
        "--bind-address=127.0.0.1", `--secure-port=${port}`, `--advertise-address=${ADVERTISED_ADDRESS}`,
        `--tls-cert-file=${pki.server.cert}`, `--tls-private-key-file=${pki.server.key}`, `--cert-dir=${join(dir, "certs")}`,
        `--token-auth-file=${tokenFile}`, "--authorization-mode=RBAC", "--anonymous-auth=false",
        `--service-account-issuer=https://kubernetes.default.svc.cluster.local`,
        `--service-account-key-file=${sa.publicKey}`, `--service-account-signing-key-file=${sa.privateKey}`,
        `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
        // No --enable-admission-plugins: the version's defaults, PodSecurity among them. Privileged containers are
        // allowed as in real clusters (kubeadm sets it), so that Pod Security, not this flag, refuses them.
        "--allow-privileged=true",
        "--profiling=false", "--v=1",
    ]);
    const client = new KubeClient(url, token, pki.ca.certPem);
    const ready = async () => (await client.request("GET", "/readyz")).status === 200;
    try {
        await waitFor("kube-apiserver /readyz", ready, { timeoutMs: 180_000, intervalMs: 500, process: apiserver, logs: [apiserver.log, etcd.process.log] });
    } catch (error) {
        await apiserver.stop();
        await etcd.process.stop();
        throw error;
    }
    const kubeconfigPath = join(dir, "kubeconfig");
    writeFileSync(kubeconfigPath, kubeconfig(url, pki.ca.cert, token), { mode: 0o600 });
    return {
        url,
        token,
        caFile: pki.ca.cert,
        kubeconfigPath,
        port,
        client,
        request: (method, path, body, contentType) => client.request(method, path, body, contentType),
        apply: (obj) => client.apply(obj),
        async stop() {
            await apiserver.stop();
            await etcd.process.stop();
            rmSync(dir, { recursive: true, force: true });
        },
    };
}

