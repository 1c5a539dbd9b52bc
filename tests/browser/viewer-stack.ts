/**
 * The browser test's stack: the real edge (tests/harness/edge/stack.ts: API server, Traefik reading the rendered
 * routes, Orthanc on PostgreSQL, the OHIF build) with one CT study stored over DICOM TLS through Traefik's DICOM
 * entrypoint, and what Chromium needs to reach the domain on loopback and trust its certificate.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessLogEntry, readAccessLog } from "../harness/edge/client";
import { EdgeStack, spkiHash, startEdgeStack } from "../harness/edge/stack";
import { DicomSample, freshCtSample, store } from "../harness/real/dicom";

export interface ViewerStack {
    edge: EdgeStack;
    baseUrl: string;
    user: { username: string; password: string };
    /** A user the edge's users Secret holds but Orthanc does not: proves Orthanc keeps its own authentication. */
    edgeOnlyUser: { username: string; password: string };
    sample: DicomSample;
    /** Chromium flags: the domain resolves to 127.0.0.1 and the web certificate's key is trusted. */
    chromiumArgs: string[];
    /** Traefik's access log so far. */
    accessLog(): AccessLogEntry[];
    stop(): Promise<void>;
}

export async function startViewerStack(): Promise<ViewerStack> {
    const edge = await startEdgeStack();
    const work = mkdtempSync(join(tmpdir(), "pacstack-browser-"));
    const stop = async () => {
        await edge.stop();
        rmSync(work, { recursive: true, force: true });
    };
    try {
        const sample = await freshCtSample(join(work, "dicom"));
        const modality = { mode: "client" as const, cert: edge.pki.client.cert, key: edge.pki.client.key, ca: edge.pki.ca.cert };
        const stored = await store({ port: edge.traefik.ports.dicom, calledAe: "ORTHANC", tls: modality }, [sample.file]);
        if (stored.code !== 0) throw new Error(`C-STORE over DICOM TLS through Traefik failed:\n${stored.output}`);
        return {
            edge,
            baseUrl: `https://${edge.domain}:${edge.httpsPort}`,
            user: edge.user,
            edgeOnlyUser: edge.edgeOnlyUser,
            sample,
            chromiumArgs: [`--host-resolver-rules=MAP ${edge.domain} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${spkiHash(edge.webCertificate.certPem)}`],
            accessLog: () => readAccessLog(edge.traefik.log),
            stop,
        };
    } catch (error) {
        await stop();
        throw error;
    }
}
