/**
 * `npm run bench -- --edge [--quick]`: the cost of the single sign-on edge. The same WADO-RS frame and QIDO-RS
 * requests go straight to Orthanc (plain HTTP, the web user's Basic credential), to Orthanc's HTTPS front (the TLS
 * hop Traefik uses), and through the whole edge (Traefik's TLS, forwardAuth, oauth2-proxy with its session store,
 * the HTTPS front, Orthanc) with a script's bearer token or a person's session cookie, at 1, 8 and 32 concurrent
 * clients on keep-alive connections. It also times oauth2-proxy's own check alone, samples every process's CPU time
 * per request, and the viewer's time to first image in Chromium through the whole edge. A benchmark, not a test:
 * it checks only that every answer is complete, never a speed.
 */
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { SCRIPTS_CLIENT_ID, REALM_NAME } from "../../components/keycloak/realm";
import { SsoEdge, startSsoEdge } from "../harness/edge/sso";
import { signIn } from "../harness/edge/sso-login";
import { edgeRequest } from "../harness/edge/client";
import { spkiHash } from "../harness/edge/stack";
import { HEADLESS_CHROMIUM_ARGS, requireBinary } from "../harness/real/binaries";
import { basicAuthorization } from "../harness/real/http";
import { stopAllProcesses } from "../harness/real/processes";
import { SyntheticFile, writeCtStudy } from "../harness/real/synthetic";
import { percentile, round } from "./report";

export interface EdgeBenchOptions {
    concurrency: number[];
    /** Requests per cell (target × workload × concurrency), shared by the clients. */
    requests: number;
    /** Instances of the study whose frames are fetched (512×512 CT). */
    instances: number;
    viewerRuns: number;
    out: string;
}

export function parseEdgeOptions(argv: string[]): EdgeBenchOptions {
    const quick = argv.includes("--quick");
    return { concurrency: [1, 8, 32], requests: quick ? 96 : 640, instances: quick ? 16 : 64, viewerRuns: quick ? 2 : 5, out: "" };
}

/** One way of sending a request: a base URL, an agent and the headers that authenticate it. */
interface Route {
    id: string;
    label: string;
    send(path: string, accept: string): Promise<{ status: number; bytes: number }>;
}

function route(id: string, label: string, base: { tls: false; port: number } | { tls: true; port: number; domain: string; ca: string }, auth: () => Record<string, string>, sockets: number): Route {
    const agent = base.tls ? new HttpsAgent({ keepAlive: true, maxSockets: sockets, ca: base.ca, servername: base.domain }) : new HttpAgent({ keepAlive: true, maxSockets: sockets });
    const send = (path: string, accept: string) =>
        new Promise<{ status: number; bytes: number }>((resolve, reject) => {
            const options = { host: "127.0.0.1", port: base.port, path, agent, headers: { Accept: accept, ...(base.tls ? { Host: `${base.domain}:${base.port}` } : {}), ...auth() } };
            const req = (base.tls ? httpsRequest : httpRequest)(options, (res) => {
                let bytes = 0;
                res.on("data", (chunk: Buffer) => (bytes += chunk.length));
                res.once("end", () => resolve({ status: res.statusCode ?? 0, bytes }));
                res.once("error", reject);
            });
            req.setTimeout(120_000, () => req.destroy(new Error(`timeout ${path}`)));
            req.once("error", reject);
            req.end();
        });
    return { id, label, send };
}

/** CPU seconds (user + system) of a process so far, from /proc. */
function cpuSeconds(pid: number): number {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Cell {
    route: string;
    workload: string;
    clients: number;
    requests: number;
    perSecond: number;
    p50Ms: number;
    p95Ms: number;
    /** CPU milliseconds per request, by process. */
    cpuMsPerRequest: Record<string, number>;
    /** New TLS connections the HTTPS front in front of Orthanc accepted, per request (each a full handshake). */
    frontConnectionsPerRequest: number;
}

/** Connections the HTTPS front (stunnel) accepted so far, from its log. */
let frontLog = "";
const frontConnections = () => (frontLog ? (readFileSync(frontLog, "utf8").match(/accepted connection/g) ?? []).length : 0);

interface Workload {
    id: string;
    path: () => string;
    accept: string;
    check: (a: { status: number; bytes: number }) => boolean;
}

interface Sample {
    latencies: number[];
    seconds: number;
    /** CPU seconds by process, and the client's (this process). */
    cpu: Record<string, number>;
    connections: number;
}

async function warmUp(target: Route, workload: Workload): Promise<void> {
    for (let i = 0; i < 16; i++) {
        const answer = await target.send(workload.path(), workload.accept);
        if (!workload.check(answer)) throw new Error(`${target.id} ${workload.id}: HTTP ${answer.status}, ${answer.bytes} bytes`);
    }
}

/** `total` requests from `clients` concurrent clients, each waiting for its answer before the next request. */
async function measure(target: Route, workload: Workload, clients: number, total: number, processes: Record<string, number>): Promise<Sample> {
    const cpuBefore = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]));
    const clientBefore = process.cpuUsage();
    const connectionsBefore = frontConnections();
    const latencies: number[] = [];
    let next = 0;
    const started = process.hrtime.bigint();
    await Promise.all(
        Array.from({ length: clients }, async () => {
            while (next < total) {
                next++;
                const begin = process.hrtime.bigint();
                const answer = await target.send(workload.path(), workload.accept);
                latencies.push(Number(process.hrtime.bigint() - begin) / 1e6);
                if (!workload.check(answer)) throw new Error(`${target.id} ${workload.id}: HTTP ${answer.status}, ${answer.bytes} bytes`);
            }
        }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const client = process.cpuUsage(clientBefore);
    const cpu = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid) - cpuBefore[name]]));
    cpu.client = (client.user + client.system) / 1e6;
    return { latencies, seconds, cpu, connections: frontConnections() - connectionsBefore };
}

/** One cell from the rounds of one route: throughput over the summed time, percentiles over every request. */
function summarize(route: string, workload: string, clients: number, samples: Sample[]): Cell {
    const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
    const seconds = samples.reduce((sum, s) => sum + s.seconds, 0);
    const names = Object.keys(samples[0].cpu);
    const cpuMsPerRequest = Object.fromEntries(names.map((name) => [name, round((samples.reduce((sum, s) => sum + s.cpu[name], 0) * 1000) / latencies.length, 2)]));
    return { route, workload, clients, requests: latencies.length, perSecond: round(latencies.length / seconds, 1), p50Ms: round(percentile(latencies, 50), 1), p95Ms: round(percentile(latencies, 95), 1), cpuMsPerRequest, frontConnectionsPerRequest: round(samples.reduce((sum, s) => sum + s.connections, 0) / latencies.length, 2) };
}

/** Rounds per cell: the routes take turns (in a rotating order), so that a shared machine's load swings hit all alike. */
const ROUNDS = 4;

/** Seconds from navigation to a viewport showing the image (at least 32 grey levels), each run in a fresh browser context (cold cache, the session kept). */
async function viewerFirstImage(sso: SsoEdge, studyUid: string, runs: number): Promise<number[]> {
    const browser = await chromium.launch({
        executablePath: requireBinary("/usr/bin/chromium"),
        args: [...HEADLESS_CHROMIUM_ARGS, `--host-resolver-rules=MAP ${sso.edge.domain} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${spkiHash(sso.edge.webCertificate.certPem)}`],
    });
    try {
        const first = await browser.newContext();
        const page = await first.newPage();
        await page.goto(`${sso.baseUrl}/`, { waitUntil: "load" });
        await page.fill("#username", sso.user.username);
        await page.fill("#password", sso.user.password);
        await page.click("#kc-login");
        await page.waitForURL(`${sso.baseUrl}/**`, { timeout: 60_000 });
        const state = await first.storageState();
        await first.close();
        const times: number[] = [];
        for (let run = 0; run < runs; run++) {
            const context = await browser.newContext({ storageState: state, viewport: { width: 1280, height: 800 } });
            const viewer = await context.newPage();
            const begin = Date.now();
            await viewer.goto(`${sso.baseUrl}/viewer?StudyInstanceUIDs=${studyUid}`);
            await viewer.waitForFunction(
                () => {
                    const canvas = document.querySelector("canvas.cornerstone-canvas") as HTMLCanvasElement | null;
                    const data = canvas && canvas.width > 0 ? canvas.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data : undefined;
                    const values = new Set<number>();
                    for (let j = 0; data && j < data.length && values.size < 32; j += 4) values.add(data[j]);
                    return values.size >= 32;
                },
                undefined,
                { timeout: 120_000, polling: 50 },
            );
            times.push(round((Date.now() - begin) / 1000, 2));
            await context.close();
        }
        return times;
    } finally {
        await browser.close();
    }
}

export async function runEdgeBench(argv: string[]): Promise<number> {
    const options = parseEdgeOptions(argv);
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const out = join(__dirname, "../../test-output/bench", `edge-${stamp}`);
    mkdirSync(out, { recursive: true });
    const loadStart = loadavg().map((n) => round(n, 2));
    const sso = await startSsoEdge();
    try {
        const orthanc = sso.edge.orthanc!;
        const study = writeCtStudy(join(tmpdir(), `pacstack-edge-bench-${process.pid}`), { instances: options.instances, perSeries: options.instances, rows: 512, columns: 512 });
        for (const file of study) {
            const stored = await orthanc.request("/instances", { method: "POST", body: readFileSync(file.file) });
            if (stored.status !== 200) throw new Error(`storing ${file.file}: HTTP ${stored.status}`);
        }
        const token = async () => {
            const answer = await edgeRequest(sso.edge, `/auth/realms/${REALM_NAME}/protocol/openid-connect/token`, {
                method: "POST",
                headers: { "Content-Type": "application/x-www-form-urlencoded" },
                body: new URLSearchParams({ grant_type: "client_credentials", client_id: SCRIPTS_CLIENT_ID, client_secret: sso.scriptsClient.secret }).toString(),
            });
            return JSON.parse(answer.body.toString()).access_token as string;
        };
        // Tokens live 5 minutes (Keycloak's default): one per cell, so none expires mid-run.
        let bearer = await token();
        const session = (await signIn(sso.edge, sso.user)).jar;
        const basic = basicAuthorization(sso.edge.user.username, sso.edge.user.password);
        const web = { tls: true as const, port: sso.edge.httpsPort, domain: sso.edge.domain, ca: sso.edge.caPem };
        // The name Traefik's ServersTransport checks on Orthanc's HTTPS certificate.
        const orthancName = sso.edge.applied.find((o) => o.kind === "ServersTransport")!.spec.serverName as string;
        const sockets = Math.max(...options.concurrency);
        const routes = [
            route("direct", "Orthanc, plain HTTP", { tls: false, port: orthanc.httpPort }, () => ({ Authorization: basic }), sockets),
            route("direct-tls", "Orthanc's HTTPS front", { tls: true, port: sso.edge.orthancHttps!.port, domain: orthancName, ca: sso.edge.caPem }, () => ({ Authorization: basic }), sockets),
            route("edge-bearer", "edge, script's bearer token", web, () => ({ Authorization: `Bearer ${bearer}` }), sockets),
            route("edge-cookie", "edge, person's session cookie", web, () => ({ Cookie: session.header() }), sockets),
        ];
        const pick = (): SyntheticFile => study[Math.floor(Math.random() * study.length)];
        const workloads: Workload[] = [
            {
                id: "wado-frame",
                path: () => {
                    const f = pick();
                    return `/dicom-web/studies/${f.studyUid}/series/${f.seriesUid}/instances/${f.sopUid}/frames/1`;
                },
                accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*',
                check: (a: { status: number; bytes: number }) => a.status === 200 && a.bytes >= 512 * 512 * 2,
            },
            {
                id: "qido-studies",
                path: () => `/dicom-web/studies?PatientID=${study[0].patientId}`,
                accept: "application/dicom+json",
                check: (a: { status: number; bytes: number }) => a.status === 200 && a.bytes > 100,
            },
        ];
        frontLog = sso.edge.orthancHttps!.process.log;
        const processes: Record<string, number> = {
            traefik: sso.edge.traefik.process.pid,
            "oauth2-proxy": sso.proxy.pid,
            "session-store": sso.sessionStore.process.pid,
            "https-front": sso.edge.orthancHttps!.process.pid,
            orthanc: orthanc.process.pid,
        };
        const cells: Cell[] = [];
        for (const workload of workloads) {
            for (const clients of options.concurrency) {
                const samples = new Map<string, Sample[]>(routes.map((r) => [r.id, []]));
                for (const target of routes) await warmUp(target, workload);
                for (let round = 0; round < ROUNDS; round++) {
                    for (const target of [...routes.slice(round % routes.length), ...routes.slice(0, round % routes.length)]) {
                        bearer = await token();
                        samples.get(target.id)!.push(await measure(target, workload, clients, Math.ceil(options.requests / ROUNDS), processes));
                    }
                }
                for (const target of routes) {
                    const cell = summarize(target.id, workload.id, clients, samples.get(target.id)!);
                    cells.push(cell);
                    process.stdout.write(`${workload.id} ${clients} clients ${target.id}: ${cell.perSecond}/s p50 ${cell.p50Ms} ms p95 ${cell.p95Ms} ms front connections/request ${cell.frontConnectionsPerRequest} cpu ${JSON.stringify(cell.cpuMsPerRequest)}\n`);
                }
            }
        }
        // oauth2-proxy's check alone (what forwardAuth asks on every request), straight to its port.
        const proxyPort = Number(/127\.0\.0\.1:(\d+)/.exec(JSON.stringify(sso.started.alpha.server))![1]);
        const auth = { id: "auth-only", path: () => "/oauth2/auth?allowed_groups=pacstack-user,pacstack-admin", accept: "application/json", check: (a: { status: number }) => a.status === 202 };
        for (const [id, headers] of [["proxy-bearer", () => ({ Authorization: `Bearer ${bearer}` })], ["proxy-cookie", () => ({ Cookie: session.header() })]] as const) {
            bearer = await token();
            const target = route(id, id, { tls: false, port: proxyPort }, headers, 8);
            await warmUp(target, auth);
            const cell = summarize(id, auth.id, 8, [await measure(target, auth, 8, options.requests, processes)]);
            cells.push(cell);
            process.stdout.write(`auth-only 8 clients ${id}: ${cell.perSecond}/s p50 ${cell.p50Ms} ms cpu ${JSON.stringify(cell.cpuMsPerRequest)}\n`);
        }
        const viewerSeconds = await viewerFirstImage(sso, study[0].studyUid, options.viewerRuns);
        process.stdout.write(`viewer, time to first image through the edge: ${viewerSeconds.join(", ")} s\n`);
        const ratio = (workload: string, clients: number, id: string) => {
            const direct = cells.find((c) => c.route === "direct" && c.workload === workload && c.clients === clients)!;
            const other = cells.find((c) => c.route === id && c.workload === workload && c.clients === clients)!;
            return round(other.perSecond / direct.perSecond, 2);
        };
        const ratios = Object.fromEntries(
            workloads.flatMap((w) => options.concurrency.flatMap((c) => ["direct-tls", "edge-bearer", "edge-cookie"].map((id) => [`${w.id} ${c} ${id}`, ratio(w.id, c, id)]))),
        );
        const report = {
            generatedAt: new Date().toISOString(),
            command: `npm run bench -- ${argv.join(" ")}`,
            machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, loadAverageStart: loadStart, loadAverageEnd: loadavg().map((n) => round(n, 2)) },
            options,
            frameBytes: 512 * 512 * 2,
            cells,
            ratios,
            viewerFirstImageSeconds: viewerSeconds,
        };
        writeFileSync(join(out, "report.json"), JSON.stringify(report, null, 2) + "\n");
        process.stdout.write(`\nratios to direct: ${JSON.stringify(ratios, null, 1)}\nreport: ${join(out, "report.json")}\n`);
        return 0;
    } finally {
        await sso.stop();
        await stopAllProcesses();
    }
}
