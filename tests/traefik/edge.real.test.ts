import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { get as httpsGet } from "node:https";
import { connect } from "node:net";
import { VIEWER_RESPONSE_HEADERS } from "../../components/ohif/headers";
import { EdgeAnswer, backendOf, edgeHttpRequest, edgeRequest, readAccessLog, tlsHandshake } from "../harness/edge/client";
import { basicAuthorization } from "../harness/real/http";
import { EdgeStack, TEST_UPLOAD_LIMIT_MIB, startEdgeStack } from "../harness/edge/stack";
import { listeningPorts } from "../harness/edge/traefik";
import { DicomSample, echo, freshCtSample, store } from "../harness/real/dicom";
import { clientHelloBytes } from "../harness/real/dicom-clients";
import { issueServerFor } from "../harness/real/pki";
import { waitFor } from "../harness/real/processes";
import { startStunnel } from "../harness/real/stunnel";
import { serviceHostNames } from "../../components/certificates/plan";

const MiB = 1024 * 1024;

/**
 * GET of a URL exactly as an answer gave it (scheme, host name for SNI and Host, port, path), as a script that
 * trusts the pacstack CA would send it; only `name` resolves, to 127.0.0.1 (the edge runs on loopback).
 */
function fetchAsGiven(url: string, name: string, caPem: string, credentials: [string, string]): Promise<EdgeAnswer> {
    return new Promise((resolve, reject) => {
        const lookup = (host: string, options: unknown, callback: (...args: any[]) => void) => {
            if (host !== name) return callback(new Error(`${host} does not resolve here`));
            const all = (options as { all?: boolean }).all;
            return all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4);
        };
        const req = httpsGet(url, { ca: caPem, agent: false, lookup, headers: { Authorization: basicAuthorization(...credentials) } }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.once("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
            res.once("error", reject);
        });
        req.setTimeout(30_000, () => req.destroy(new Error(`GET ${url}: timed out`)));
        req.once("error", reject);
    });
}

/** A valid DICOM file of exactly `size` bytes: the sample with trailing padding (FFFC,FFFC), explicit VR little endian. */
async function dicomOfSize(dir: string, name: string, size: number): Promise<DicomSample> {
    const sample = await freshCtSample(dir, name);
    const header = 12; // tag, VR "OB", two reserved bytes, 32-bit length
    const padding = size - statSync(sample.file).size - header;
    assert.ok(padding >= 0 && padding % 2 === 0, `cannot pad ${statSync(sample.file).size} bytes to ${size}`);
    const element = Buffer.alloc(header);
    element.writeUInt16LE(0xfffc, 0);
    element.writeUInt16LE(0xfffc, 2);
    element.write("OB", 4, "latin1");
    element.writeUInt32LE(padding, 8);
    appendFileSync(sample.file, Buffer.concat([element, Buffer.alloc(padding)]));
    assert.equal(statSync(sample.file).size, size);
    return sample;
}

describe("edge: the real Traefik reads the rendered routes from a real API server", function () {
    this.timeout(600_000);
    let stack: EdgeStack;
    let work: string;
    const auth = () => [stack.user.username, stack.user.password] as [string, string];
    const orthanc = () => stack.orthanc!;

    before(async function () {
        work = mkdtempSync(join(tmpdir(), "pacstack-edge-test-"));
        stack = await startEdgeStack({ overrides: { archives: '["orthanc","dcm4chee"]' } });
    });

    after(async function () {
        await stack?.stop();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("serves HTTPS with the certificate pacstack issues for the domain, chained to the pacstack CA", async function () {
        const handshake = await tlsHandshake(stack);
        assert.equal(handshake.error, undefined, handshake.error);
        assert.equal(handshake.subjectAltName, `DNS:${stack.domain}`);
        const foreign = await tlsHandshake({ ...stack, caPem: stack.pki.rogueCa.certPem });
        assert.match(foreign.error ?? "", /self[- ]signed|unable to verify|unable to get local issuer/i, "a client trusting another CA must refuse the edge");
        assert.equal((await edgeRequest(stack, "/", { auth: auth() })).status, 200);
    });

    it("refuses TLS 1.1 and TLS 1.2 suites outside the default TLSOption, accepts TLS 1.2 with AES-GCM", async function () {
        const legacy = { ciphers: "DEFAULT:@SECLEVEL=0" };
        const tls11 = await tlsHandshake(stack, { ...legacy, minVersion: "TLSv1.1", maxVersion: "TLSv1.1" });
        assert.match(tls11.error ?? "", /protocol version|alert|wrong version/i, `TLS 1.1 was accepted: ${JSON.stringify(tls11)}`);
        const gcm = await tlsHandshake(stack, { minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-GCM-SHA256" });
        assert.deepEqual([gcm.error, gcm.protocol], [undefined, "TLSv1.2"]);
        // Go offers CBC suites by default: only the TLSOption's list refuses this one.
        const cbc = await tlsHandshake(stack, { minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: "ECDHE-RSA-AES128-SHA" });
        assert.match(cbc.error ?? "", /handshake failure|alert/i, `a CBC suite was accepted: ${JSON.stringify(cbc)}`);
    });

    it("sends HSTS on every answer, and the viewer's CSP and cross-origin isolation on the viewer's", async function () {
        const viewer = await edgeRequest(stack, "/", { auth: auth() });
        assert.equal(viewer.headers["strict-transport-security"], "max-age=31536000; includeSubDomains");
        assert.equal(viewer.headers["content-security-policy"], VIEWER_RESPONSE_HEADERS.contentSecurityPolicy);
        for (const [name, value] of Object.entries(VIEWER_RESPONSE_HEADERS.custom)) assert.equal(viewer.headers[name.toLowerCase()], value, name);
        const refused = await edgeRequest(stack, "/dicom-web/studies");
        assert.equal(refused.status, 401);
        assert.equal(refused.headers["strict-transport-security"], "max-age=31536000; includeSubDomains", "a 401 carries HSTS too");
        assert.equal(refused.headers["content-security-policy"], undefined, "the viewer's CSP stays on the viewer's routes");
    });

    it("redirects HTTP to HTTPS permanently, to the port users reach", async function () {
        const answer = await edgeHttpRequest(stack, stack.traefik.ports.web, "/orthanc/app/explorer.html");
        assert.equal(answer.status, 301);
        assert.equal(answer.headers.location, `https://${stack.domain}:${stack.traefik.ports.websecure}/orthanc/app/explorer.html`);
    });

    it("asks every route for the web user (basicAuth from the users Secret) and Orthanc checks it again", async function () {
        for (const path of ["/", "/dicom-web/studies", "/orthanc/system", "/orthanc"]) {
            const answer = await edgeRequest(stack, path);
            assert.equal(answer.status, 401, path);
            assert.match(String(answer.headers["www-authenticate"]), /^Basic realm="pacstack"/);
        }
        assert.equal((await edgeRequest(stack, "/orthanc/system", { auth: [stack.user.username, "wrong"] })).status, 401);
        assert.equal((await edgeRequest(stack, "/orthanc/system", { auth: auth() })).status, 200);
        const edgeOnly = [stack.edgeOnlyUser.username, stack.edgeOnlyUser.password] as [string, string];
        assert.equal((await edgeRequest(stack, "/", { auth: edgeOnly })).status, 200, "the edge knows the second user");
        assert.equal((await edgeRequest(stack, "/orthanc/system", { auth: edgeOnly })).status, 401, "Orthanc does not");
        assert.equal((await edgeRequest(stack, "/orthanc", { auth: auth() })).headers.location, `https://${stack.domain}:${stack.httpsPort}/orthanc/`);
    });

    it(`accepts an upload of exactly the limit (${TEST_UPLOAD_LIMIT_MIB} MiB) and answers 413 to one byte more`, async function () {
        const limit = TEST_UPLOAD_LIMIT_MIB * MiB;
        const atLimit = await dicomOfSize(work, "at-limit.dcm", limit);
        const body = readFileSync(atLimit.file);
        const stored = await edgeRequest(stack, "/orthanc/instances", { method: "POST", auth: auth(), body, headers: { "Content-Type": "application/dicom" } });
        assert.equal(stored.status, 200, stored.body.toString());
        assert.equal(JSON.parse(stored.body.toString()).Status, "Success");
        const before = JSON.parse((await orthanc().request("/statistics")).body.toString()).CountInstances;
        const over = Buffer.concat([body, Buffer.alloc(1)]);
        const refused = await edgeRequest(stack, "/orthanc/instances", { method: "POST", auth: auth(), body: over, headers: { "Content-Type": "application/dicom" } });
        assert.equal(refused.status, 413);
        const chunked = await edgeRequest(stack, "/dicom-web/studies", { method: "POST", auth: auth(), body: over, headers: { "Transfer-Encoding": "chunked" } });
        assert.equal(chunked.status, 413, "a body without Content-Length is counted too");
        const after = JSON.parse((await orthanc().request("/statistics")).body.toString()).CountInstances;
        assert.equal(after, before, "nothing over the limit reached Orthanc");
    });

    it("passes DICOM-TLS through to Orthanc (HostSNI(*)): a modality certificate is accepted, none or a foreign one refused", async function () {
        const port = stack.traefik.ports.dicom;
        const { pki } = stack;
        const modality = { mode: "client" as const, cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert };
        const sample = await freshCtSample(work, "via-edge.dcm");
        const stored = await store({ port, calledAe: "ORTHANC", tls: modality }, [sample.file]);
        assert.equal(stored.code, 0, stored.output);
        const found = await orthanc().request(`/dicom-web/studies?StudyInstanceUID=${sample.studyUid}`);
        assert.ok(found.body.toString().includes(sample.studyUid), "the study arrived in Orthanc");
        const anonymous = await echo({ port, calledAe: "ORTHANC", tls: { mode: "anonymous", ca: pki.ca.cert } });
        assert.notEqual(anonymous.code, 0, "a modality without a certificate must be refused");
        const rogue = await echo({ port, calledAe: "ORTHANC", tls: { mode: "client", cert: pki.rogueClient.cert, key: pki.rogueClient.key, ca: pki.ca.cert } });
        assert.notEqual(rogue.code, 0, "a certificate of another CA must be refused");
        const plain = await echo({ port, calledAe: "ORTHANC", tls: { mode: "none" } });
        assert.notEqual(plain.code, 0, "plain DICOM must be refused");
    });

    it("answers QIDO-RS with RetrieveURLs on the edge's public name and port, which a client fetches as given", async function () {
        // The plan (dev stack, node port 30443) names the node port; the loopback edge listens on another port, and
        // only that port was rewritten.
        assert.equal((stack.plannedOrthancConfig!.DicomWeb as Record<string, unknown>).Host, `${stack.domain}:30443`);
        const sample = await freshCtSample(work, "retrieve-url.dcm");
        const body = readFileSync(sample.file);
        const stored = await edgeRequest(stack, "/orthanc/instances", { method: "POST", auth: auth(), body, headers: { "Content-Type": "application/dicom" } });
        assert.equal(stored.status, 200, stored.body.toString());
        const qido = await edgeRequest(stack, `/dicom-web/studies?StudyInstanceUID=${sample.studyUid}`, { auth: auth(), headers: { Accept: "application/dicom+json" } });
        assert.equal(qido.status, 200, qido.body.toString());
        const [study] = JSON.parse(qido.body.toString()) as Record<string, { Value?: string[] }>[];
        const retrieveUrl = study["00081190"]?.Value?.[0] ?? "";
        assert.equal(retrieveUrl, `https://${stack.domain}:${stack.httpsPort}/dicom-web/studies/${sample.studyUid}`);
        // Fetched exactly as given: the URL's own scheme, name, port and path; only the name resolves to loopback.
        const answer = await fetchAsGiven(retrieveUrl, stack.domain, stack.caPem, auth());
        assert.equal(answer.status, 200, answer.body.toString().slice(0, 500));
        assert.match(String(answer.headers["content-type"]), /^multipart\/related/);
        assert.ok(answer.body.includes(Buffer.from(sample.sopUid)), "the answer carries the stored instance");
        assert.ok(answer.body.includes(body.subarray(-512)), "with its pixel data");
    });

    it("writes no query string into the access log: a QIDO-RS search by PatientName leaves no name behind", async function () {
        const name = `EDGE^LOGTEST${Date.now()}`;
        const seen = readAccessLog(stack.traefik.log).length;
        const search = await edgeRequest(stack, `/dicom-web/studies?PatientName=${encodeURIComponent(name)}`, { auth: auth() });
        assert.equal(search.status, 200);
        const entries = readAccessLog(stack.traefik.log).slice(seen).filter((e) => e.RequestMethod === "GET" && e.RequestPath.startsWith("/dicom-web/studies"));
        assert.ok(entries.length > 0, "the search is in the access log");
        assert.ok(entries.every((e) => e.RequestPath === "/dicom-web/studies"), JSON.stringify(entries.map((e) => e.RequestPath)));
        const log = readFileSync(stack.traefik.log, "utf8");
        for (const form of [name, encodeURIComponent(name), "LOGTEST", "PatientName"]) assert.ok(!log.includes(form), `the log holds ${form}`);
        assert.ok(!log.includes(stack.user.password) && !log.includes(Buffer.from(`${stack.user.username}:${stack.user.password}`).toString("base64")), "no credential in the log");
    });

    it("sends each path to its backend: archives first, the viewer catches the rest (Traefik's own router priorities)", async function () {
        const expected: Record<string, string> = {
            "/": "pacstack-viewer",
            "/viewer": "pacstack-viewer",
            "/app.bundle.js": "pacstack-viewer",
            "/orthanc/app/explorer.html": "pacstack-orthanc",
            "/dicom-web/studies": "pacstack-orthanc",
            "/dicom-webx": "pacstack-viewer",
            "/dcm4chee-arc/ui2/": "pacstack-dcm4chee",
            "/dcm4chee-arc/aets/DCM4CHEE/rs/studies": "pacstack-dcm4chee",
        };
        for (const [path, service] of Object.entries(expected)) {
            const seen = readAccessLog(stack.traefik.log).length;
            await edgeRequest(stack, path, { auth: auth() });
            const entries = readAccessLog(stack.traefik.log).slice(seen);
            assert.equal(entries.length, 1, path);
            assert.equal(backendOf(entries[0]), service, `${path}: ${JSON.stringify(entries[0])}`);
        }
        // "/orthanc" is answered by the Orthanc router's own redirect to "/orthanc/" before any Service.
        const bare = await edgeRequest(stack, "/orthanc", { auth: auth() });
        assert.deepEqual([bare.status, bare.headers.location], [301, `https://${stack.domain}:${stack.httpsPort}/orthanc/`]);
        // dcm4chee's STOW-RS router is size-limited like Orthanc's.
        const over = Buffer.alloc(TEST_UPLOAD_LIMIT_MIB * MiB + 1);
        const stow = await edgeRequest(stack, "/dcm4chee-arc/aets/DCM4CHEE/rs/studies", { method: "POST", auth: auth(), body: over });
        assert.equal(stow.status, 413);
    });

    it("passes HL7 (MLLP over TLS) through to dcm4chee's HL7-TLS port untouched: Traefik terminates nothing there", async function () {
        // dcm4chee cannot run here; its Service's ports lead to the loopback backend, an HTTP server. A TLS ClientHello
        // sent to the HL7 entrypoint reaches it unchanged (it answers the bytes with HTTP's 400; a TLS-terminating
        // router would have answered with its own ServerHello), so the archive's own TLS endpoint is what a sender's
        // TLS session meets. Plain bytes are no TLS session and never reach the archive.
        const hl7 = stack.traefik.ports["hl7-dcm4chee"];
        const answer = await exchange(hl7, await clientHelloBytes());
        assert.match(answer, /^HTTP\/1\.1 400 /);
        // Plain bytes: Traefik's own 404 (its HTTP handler of the entrypoint), never the archive's answer.
        const plain = await exchange(hl7, Buffer.from("GET / HTTP/1.1\r\nHost: hl7\r\nConnection: close\r\n\r\n"));
        assert.match(plain, /^HTTP\/1\.1 404 /);
        assert.doesNotMatch(plain, /X-Pacstack-Test-Service/i, "plain bytes reached the archive through the HL7 entrypoint");
    });

    /** Bytes sent to a TCP port; what came back before the connection closed. */
    function exchange(port: number, bytes: Buffer): Promise<string> {
        return new Promise<string>((resolve, reject) => {
            const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
            const chunks: Buffer[] = [];
            socket.on("data", (c: Buffer) => chunks.push(c));
            socket.once("end", () => resolve(Buffer.concat(chunks).toString()));
            socket.once("error", reject);
            socket.setTimeout(20_000, () => socket.destroy(new Error("no answer through the HL7 entrypoint")));
        });
    }

    it("reaches Orthanc over HTTPS and accepts only a pacstack certificate for Orthanc's Service name (ServersTransport)", async function () {
        const slice = stack.applied.find((o) => o.kind === "EndpointSlice" && o.metadata.labels?.["kubernetes.io/service-name"] === "pacstack-orthanc")!;
        const genuinePort = slice.ports.find((p: { name: string }) => p.name === "https").port as number;
        const viaEdge = async () => {
            const seen = readAccessLog(stack.traefik.log).length;
            const answer = await edgeRequest(stack, "/dicom-web/studies", { auth: auth() });
            return { status: answer.status, entry: readAccessLog(stack.traefik.log).slice(seen)[0] };
        };
        const served = await viaEdge();
        assert.equal(served.status, 200);
        assert.match(served.entry.ServiceURL ?? "", new RegExp(`^https://pacstack-orthanc\\.loopback\\.test:${genuinePort}$`), JSON.stringify(served.entry));

        // Impostors in Orthanc's place: the right names from another CA, and the pacstack CA for another name.
        const names = serviceHostNames("pacstack-orthanc", stack.appNamespace);
        const impostors = {
            "another CA": await issueServerFor(stack.pki, "impostor-other-ca", names, stack.pki.rogueCa),
            "another name": await issueServerFor(stack.pki, "impostor-other-name", serviceHostNames("pacstack-postgresql", stack.appNamespace)),
        };
        const pointAt = async (port: number) => {
            await stack.api.apply({ ...slice, ports: slice.ports.map((p: { name: string }) => (p.name === "https" ? { ...p, port } : p)) });
        };
        try {
            for (const [what, pair] of Object.entries(impostors)) {
                const impostor = await startStunnel({ mode: "server", targetPort: orthanc().httpPort, cert: pair.cert, key: pair.key, dir: join(work, what), logName: `impostor-${what.replace(/ /g, "-")}` });
                try {
                    await pointAt(impostor.port);
                    let answer = await viaEdge();
                    await waitFor(`Traefik forwarding to the impostor (${what})`, async () => (answer = await viaEdge()).entry?.ServiceAddr?.endsWith(`:${impostor.port}`) ?? false, { timeoutMs: 30_000, intervalMs: 250 });
                    // Traefik answers 500 when the backend's certificate fails verification, and aborts the handshake.
                    assert.equal(answer.status, 500, `an impostor with ${what} must be refused: ${JSON.stringify(answer.entry)}`);
                    const log = () => readFileSync(impostor.process.log, "utf8");
                    await waitFor("the impostor logging the refused handshake", async () => /SSL_accept|alert/i.test(log()), { timeoutMs: 10_000, intervalMs: 100 });
                    assert.ok(!/s_connect: connected/.test(log()), `no request reached Orthanc through the impostor:\n${log()}`);
                } finally {
                    await impostor.process.stop(5_000);
                }
            }
        } finally {
            await pointAt(genuinePort);
        }
        await waitFor("Traefik back on Orthanc", async () => (await viaEdge()).status === 200, { timeoutMs: 30_000, intervalMs: 250 });
    });

    it("reaches dcm4chee over HTTPS too, verifying the certificate its keystore holds for the archive's Service", async function () {
        const seen = readAccessLog(stack.traefik.log).length;
        const answer = await edgeRequest(stack, "/dcm4chee-arc/ui2/", { auth: auth() });
        assert.equal(answer.status, 200);
        const [entry] = readAccessLog(stack.traefik.log).slice(seen);
        assert.match(entry.ServiceURL ?? "", /^https:\/\/pacstack-dcm4chee\.loopback\.test:[0-9]+$/, JSON.stringify(entry));
    });

    it("exports Prometheus metrics on the metrics entrypoint", async function () {
        const metrics = await (await fetch(`http://127.0.0.1:${stack.traefik.ports.metrics}/metrics`)).text();
        assert.match(metrics, /^traefik_entrypoint_requests_total\{.*entrypoint="websecure".*\} [1-9]/m);
    });

    it("the API server refuses loopback addresses in EndpointSlices (why the test's slices name hosts)", async function () {
        const slice = {
            apiVersion: "discovery.k8s.io/v1",
            kind: "EndpointSlice",
            metadata: { name: "loopback-refused", namespace: stack.appNamespace, labels: { "kubernetes.io/service-name": "none" } },
            addressType: "IPv4",
            endpoints: [{ addresses: ["127.0.0.1"] }],
            ports: [{ name: "http", port: 8042, protocol: "TCP" }],
        };
        await assert.rejects(stack.api.apply(slice), /may not be in the loopback range/);
    });

    // Last: it replaces the web certificate. Traefik mounts no certificate; it reads the Secret from the API server.
    it("serves a renewed web certificate as soon as its Secret changes, without a restart (the CRD provider watches Secrets)", async function () {
        const webSecret = stack.applied.find((o) => o.kind === "Secret" && o.type === "kubernetes.io/tls" && o.stringData?.["tls.crt"] === stack.webCertificate.certPem);
        assert.ok(webSecret, "the web Secret the edge serves");
        const served = async () => (await tlsHandshake(stack)).serialNumber?.toLowerCase();
        assert.equal(await served(), new X509Certificate(stack.webCertificate.certPem).serialNumber.toLowerCase());
        const renewed = await issueServerFor(stack.pki, "web-renewed", [stack.domain]);
        const pid = stack.traefik.process.pid;
        await stack.api.apply({ ...webSecret, stringData: { ...webSecret.stringData, "tls.crt": renewed.certPem, "tls.key": renewed.keyPem } });
        const expected = new X509Certificate(renewed.certPem).serialNumber.toLowerCase();
        await waitFor("Traefik serving the renewed certificate", async () => (await served()) === expected, { timeoutMs: 60_000 });
        assert.equal(stack.traefik.process.pid, pid, "the same Traefik process serves it");
    });
});

describe("edge: dcm4chee alone, the viewer under a prefix (real Traefik)", function () {
    this.timeout(600_000);
    let stack: EdgeStack;

    before(async function () {
        const overrides = { archives: '["dcm4chee"]', viewerPath: "/viewer", ohifImage: "registry.example.org/ohif/app:v3.13.2-viewer" };
        stack = await startEdgeStack({ overrides, backends: false });
    });

    after(async function () {
        await stack?.stop();
    });

    it("opens no entrypoint for Orthanc's DICOM: Traefik listens on dcm4chee's and the web ports only", async function () {
        assert.deepEqual(Object.keys(stack.traefik.ports).sort(), ["dicom-dcm4chee", "hl7-dcm4chee", "metrics", "traefik", "web", "websecure"]);
        assert.deepEqual(listeningPorts(stack.traefik.process.pid), Object.values(stack.traefik.ports).sort((a, b) => a - b));
    });

    it("redirects / to the viewer's prefix and serves the prefix from the viewer", async function () {
        const auth: [string, string] = [stack.user.username, stack.user.password];
        const root = await edgeRequest(stack, "/", { auth });
        assert.equal(root.status, 301);
        assert.equal(root.headers.location, `https://${stack.domain}:${stack.httpsPort}/viewer/`);
        const seen = readAccessLog(stack.traefik.log).length;
        await edgeRequest(stack, "/viewer/viewer", { auth });
        const [entry] = readAccessLog(stack.traefik.log).slice(seen);
        assert.equal(backendOf(entry), "pacstack-viewer", JSON.stringify(entry));
    });
});
