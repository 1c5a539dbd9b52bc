/**
 * The real Traefik (pinned build, tests/tools/traefik) on loopback with the static configuration the chart gives it
 * (renderTraefikArguments of the release's values), changing only addresses, ports and paths:
 * - every entrypoint listens on 127.0.0.1 at a free port instead of :<port> (the HTTP redirect names the loopback
 *   port of its target instead of the Service's exposed port);
 * - the CRD provider reaches the test's API server with a token of Traefik's own ServiceAccount (in a pod: the
 *   in-cluster address and the mounted token), so it reads exactly what the chart's RBAC lets it read;
 * - /tmp (the chart's tmp volume, where buffered uploads go) is a folder of the test.
 * Traefik runs in a private mount namespace whose /etc/hosts maps the endpoint names the test publishes (see
 * loopbackEndpointSlice) to 127.0.0.1; the machine's /etc/hosts is untouched.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, RunningProcess, startProcess, tcpOpen, waitFor } from "../real/processes";

export interface TraefikKubeAccess {
    url: string;
    /** File holding the ServiceAccount token (as the pod mounts it; Traefik reads a token given as a path). */
    tokenFile: string;
    caFile: string;
}

export interface LoopbackTraefik {
    /** Entrypoint name → loopback port. */
    ports: Record<string, number>;
    args: string[];
    process: RunningProcess;
    /** Traefik's log (its own log and the access log, both JSON on standard output). */
    log: string;
    stop(): Promise<void>;
}

const ADDRESS = /^--entryPoints\.([^.=]+)\.address=:([0-9]+)\/(tcp|udp)$/;
const REDIRECT = /^(--entryPoints\.[^.=]+\.http\.redirections\.entryPoint\.to=):([0-9]+)$/;

/**
 * The chart's arguments with loopback addresses. `exposedPorts` maps each entrypoint to the Service port the chart
 * publishes it on (values.ports.<name>.exposedPort), so a redirect to ":<exposedPort>" follows its entrypoint.
 */
export function loopbackTraefikArguments(
    args: string[],
    ports: Record<string, number>,
    exposedPorts: Record<string, number>,
    kube: TraefikKubeAccess,
): string[] {
    const rewritten = args.map((arg) => {
        const address = ADDRESS.exec(arg);
        if (address) {
            const port = ports[address[1]];
            if (!port) throw new Error(`no loopback port for entrypoint ${address[1]}`);
            return `--entryPoints.${address[1]}.address=127.0.0.1:${port}/${address[3]}`;
        }
        const redirect = REDIRECT.exec(arg);
        if (redirect) {
            const target = Object.keys(exposedPorts).find((name) => exposedPorts[name] === Number(redirect[2]));
            if (!target || !ports[target]) throw new Error(`redirect to :${redirect[2]} names no entrypoint`);
            return `${redirect[1]}:${ports[target]}`;
        }
        return arg;
    });
    return [
        ...rewritten,
        `--providers.kubernetescrd.endpoint=${kube.url}`,
        `--providers.kubernetescrd.token=${kube.tokenFile}`,
        `--providers.kubernetescrd.certAuthFilePath=${kube.caFile}`,
    ];
}

/** The entrypoint names the arguments open. */
export function entrypointsOf(args: string[]): string[] {
    return args.flatMap((arg) => ADDRESS.exec(arg)?.[1] ?? []);
}

/**
 * Starts Traefik with `args` (renderTraefikArguments) made loopback, every entrypoint on a free port, and waits for
 * /ping on the `traefik` entrypoint (the chart's probes) and for every entrypoint to listen.
 */
export async function startLoopbackTraefik(options: {
    binary: string;
    args: string[];
    exposedPorts: Record<string, number>;
    kube: TraefikKubeAccess;
    /** Host names that resolve to 127.0.0.1 inside Traefik's mount namespace. */
    loopbackNames: string[];
    workDir: string;
    logName?: string;
    /** Loopback ports chosen beforehand for some entrypoints (one a backend must know); the others get free ones. */
    ports?: Record<string, number>;
}): Promise<LoopbackTraefik> {
    const ports: Record<string, number> = {};
    for (const name of entrypointsOf(options.args)) ports[name] = options.ports?.[name] ?? (await freePort());
    const args = loopbackTraefikArguments(options.args, ports, options.exposedPorts, options.kube);
    const tmp = join(options.workDir, "tmp");
    mkdirSync(tmp, { recursive: true });
    const hosts = join(options.workDir, "hosts");
    writeFileSync(hosts, ["127.0.0.1 localhost", ...options.loopbackNames.map((name) => `127.0.0.1 ${name}`)].join("\n") + "\n");
    // `exec` keeps the PID, so stopping the process by PID stops Traefik itself.
    const script = 'mount --bind "$HOSTS_FILE" /etc/hosts && exec "$0" "$@"';
    const unshare = process.getuid?.() === 0 ? ["--mount"] : ["--user", "--map-root-user", "--mount"];
    // One log per Traefik: tests read its access log, which must hold this instance's requests only.
    const proc = startProcess(options.logName ?? `traefik-${ports.websecure}`, "unshare", [...unshare, "sh", "-c", script, options.binary, ...args], {
        env: { PATH: process.env.PATH, TMPDIR: tmp, HOSTS_FILE: hosts },
    });
    const ping = async () => (await fetch(`http://127.0.0.1:${ports.traefik}/ping`)).status === 200;
    await waitFor("Traefik /ping", ping, { process: proc, timeoutMs: 60_000, intervalMs: 200 });
    for (const [name, port] of Object.entries(ports)) {
        await waitFor(`Traefik entrypoint ${name} on ${port}`, () => tcpOpen(port), { process: proc, timeoutMs: 30_000 });
    }
    return { ports, args, process: proc, log: proc.log, stop: () => proc.stop() };
}

/** TCP ports a process listens on, from /proc (its socket inodes matched with the kernel's TCP tables). */
export function listeningPorts(pid: number): number[] {
    const inodes = new Set(
        readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
            try {
                return /^socket:\[([0-9]+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? [];
            } catch {
                return []; // closed meanwhile
            }
        }),
    );
    const LISTEN = "0A";
    return ["/proc/net/tcp", "/proc/net/tcp6"]
        .filter((table) => existsSync(table))
        .flatMap((table) => readFileSync(table, "utf8").split("\n").slice(1))
        .map((line) => line.trim().split(/\s+/))
        .filter((columns) => columns[3] === LISTEN && inodes.has(columns[9]))
        .map((columns) => parseInt(columns[1].split(":")[1], 16))
        .sort((a, b) => a - b);
}
