import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "./binaries";
import { Association, associationArgs, DCMTK_ENV } from "./dicom";
import { RunningProcess, startProcess, tcpOpen, waitFor } from "./processes";
import { startStunnel } from "./stunnel";
import { runTool, ToolResult } from "./tools";

/**
 * Query/retrieve with dcmtk (findscu, movescu, getscu) and a workstation's receiving side (storescp). Debian 12's
 * dcmtk 3.6.7 builds movescu and getscu without TLS, so those two reach Orthanc's DICOM TLS port through stunnel
 * (Debian's stunnel4), which presents the workstation's client certificate and verifies Orthanc's against the CA:
 * the TLS session Orthanc sees is the same as from a workstation speaking TLS itself.
 */

/** Study-level keys: match on the study UID (or `*`), return the UIDs and patient ID. */
function studyKeys(studyUid: string): string[] {
    return ["-k", "QueryRetrieveLevel=STUDY", "-k", `StudyInstanceUID=${studyUid}`, "-k", "PatientID"];
}

/**
 * C-FIND at study level in the Study Root model, matching one study UID or (`{ PatientID: "POP*" }`) other keys;
 * returns the study UIDs of the answers.
 */
export async function findStudies(a: Association, match: string | Record<string, string>): Promise<{ result: ToolResult; answers: string[] }> {
    const keys =
        typeof match === "string"
            ? studyKeys(match)
            : ["-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID", ...Object.entries({ PatientID: "", ...match }).flatMap(([k, v]) => ["-k", v ? `${k}=${v}` : k])];
    const result = await runTool(requireBinary("findscu"), ["-v", "-S", ...associationArgs(a), ...keys, "127.0.0.1", String(a.port)], {
        env: DCMTK_ENV(),
        timeoutMs: 120_000,
    });
    // The request's own keys are printed first; every UID after the first response belongs to an answer.
    const first = result.output.search(/Find Response: \d+ \(Pending\)/);
    const responses = first < 0 ? "" : result.output.slice(first);
    // findscu shortens long values in its log ("[2.25.123...]"); such an answer is counted but has no full UID.
    // A UID of odd length arrives padded to even length (DICOM pads UI values with one NUL, shown as a space).
    const answers = responses
        .split(/Find Response: \d+ \(Pending\)/)
        .slice(1)
        .map((block) => /\(0020,000d\) UI \[([0-9.]+)[ \0]?\]/i.exec(block)?.[1] ?? "(shortened)");
    return { result, answers };
}

/** C-MOVE of a study to the AE title `destination` (which Orthanc must know, with a host and port). */
export function moveStudy(a: Association, studyUid: string, destination: string): Promise<ToolResult> {
    return runTool(requireBinary("movescu"), ["-v", "-S", ...associationArgs(a), "-aem", destination, ...studyKeys(studyUid), "127.0.0.1", String(a.port)], {
        env: DCMTK_ENV(),
        timeoutMs: 60_000,
    });
}

/** C-GET of a study: the instances come back on the same association, into `dir`. */
export function getStudy(a: Association, studyUid: string, dir: string): Promise<ToolResult> {
    mkdirSync(dir, { recursive: true });
    return runTool(requireBinary("getscu"), ["-v", "-S", ...associationArgs(a), "-od", dir, ...studyKeys(studyUid), "127.0.0.1", String(a.port)], {
        env: DCMTK_ENV(),
        timeoutMs: 60_000,
    });
}

export interface Storescp {
    process: RunningProcess;
    port: number;
    dir: string;
    /** Files received so far. */
    files(): string[];
}

/** A workstation's DICOM receiver: storescp with DICOM TLS (its own certificate, peers must present one of `ca`). */
export async function startStorescp(options: { aeTitle: string; port: number; dir: string; cert: string; key: string; ca: string; logName: string }): Promise<Storescp> {
    mkdirSync(options.dir, { recursive: true });
    const args = ["-aet", options.aeTitle, "+tls", options.key, options.cert, "+cf", options.ca, "-od", options.dir, String(options.port)];
    const process = startProcess(options.logName, requireBinary("storescp"), args, { env: DCMTK_ENV() });
    await waitFor(`storescp on 127.0.0.1:${options.port}`, () => tcpOpen(options.port), { process, timeoutMs: 20_000 });
    return { process, port: options.port, dir: options.dir, files: () => readdirSync(options.dir).map((f) => join(options.dir, f)) };
}

export interface TlsTunnel {
    process: RunningProcess;
    /** Plain DICOM into this loopback port leaves as DICOM TLS to the target. */
    port: number;
}

/** stunnel in client mode: loopback plain port -> DICOM TLS with a client certificate, server verified by `ca`. */
export async function startTlsTunnel(options: {
    targetPort: number;
    cert: string;
    key: string;
    ca: string;
    dir: string;
    logName: string;
    /** The only TLS version offered (stunnel's sslVersion, e.g. "TLSv1.2"). @default TLS 1.2 and newer */
    version?: string;
    /** The only TLS 1.2 suites offered (OpenSSL names, `:`-separated). @default stunnel's */
    ciphers?: string;
}): Promise<TlsTunnel> {
    return startStunnel({ mode: "client", ...options });
}
