import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ctSmallSample, requireBinary } from "./binaries";
import { runOk, runTool, ToolResult } from "./tools";

export interface DicomSample {
    file: string;
    studyUid: string;
    seriesUid: string;
    sopUid: string;
}

/** Debian's dcmtk keeps Nagle's algorithm on unless TCP_NODELAY is set: DICOM would be ten times slower. */
export const DCMTK_ENV = (): NodeJS.ProcessEnv => ({ ...process.env, TCP_NODELAY: "1" });

const UID_TAGS = { studyUid: "0020,000d", seriesUid: "0020,000e", sopUid: "0008,0018" } as const;

/** The UIDs of a DICOM file, read with dcmdump. */
export async function readUids(file: string): Promise<Omit<DicomSample, "file">> {
    const args = ["-s", ...Object.values(UID_TAGS).flatMap((tag) => ["+P", tag]), file];
    const { stdout } = await runOk(requireBinary("dcmdump"), args);
    const value = (tag: string) => {
        const match = new RegExp(`^\\(${tag}\\) UI \\[([0-9.]+)\\]`, "im").exec(stdout);
        if (!match) throw new Error(`dcmdump: no (${tag}) in ${file}:\n${stdout}`);
        return match[1];
    };
    return { studyUid: value(UID_TAGS.studyUid), seriesUid: value(UID_TAGS.seriesUid), sopUid: value(UID_TAGS.sopUid) };
}

/** A copy of pydicom's CT_small.dcm with new Study, Series and SOP Instance UIDs (so every run stores a new study). */
export async function freshCtSample(dir: string, name = "ct.dcm"): Promise<DicomSample> {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, name);
    copyFileSync(ctSmallSample(), file);
    await runOk(requireBinary("dcmodify"), ["-nb", "-gst", "-gse", "-gin", file]);
    return { file, ...(await readUids(file)) };
}

/** The PixelData value as stored in the file (dcmdump +W writes it to a .raw file). */
export async function rawPixelData(file: string, dir: string): Promise<Buffer> {
    const out = join(dir, `${basename(file)}.raw.d`);
    mkdirSync(out, { recursive: true });
    const { stdout } = await runOk(requireBinary("dcmdump"), ["+W", out, file]);
    const match = /^\(7fe0,0010\) O[BW] =(\S+)/im.exec(stdout);
    if (!match) throw new Error(`dcmdump +W wrote no PixelData for ${file}:\n${stdout}`);
    return readFileSync(match[1]);
}

/** How a dcmtk tool secures its association. */
export type DicomTls =
    | { mode: "none" }
    /** TLS with a client certificate. */
    | { mode: "client"; cert: string; key: string; ca: string }
    /** TLS without a client certificate (the server is still verified against `ca`). */
    | { mode: "anonymous"; ca: string };

export interface Association {
    port: number;
    calledAe: string;
    callingAe?: string;
    tls: DicomTls;
    timeoutSeconds?: number;
}

export function associationArgs(a: Association): string[] {
    const seconds = String(a.timeoutSeconds ?? 10);
    const tls =
        a.tls.mode === "client"
            ? ["+tls", a.tls.key, a.tls.cert, "+cf", a.tls.ca]
            : a.tls.mode === "anonymous"
              ? ["--anonymous-tls", "+cf", a.tls.ca]
              : [];
    // Timeouts for connect, association and DIMSE, so a refused association can never hang a test.
    return ["-aet", a.callingAe ?? "PACSTACKTEST", "-aec", a.calledAe, "-to", seconds, "-ta", seconds, "-td", seconds, ...tls];
}

/** C-ECHO with dcmtk's echoscu. */
export function echo(a: Association): Promise<ToolResult> {
    // dcmtk's timeouts do not cover the TLS handshake: a listener that never answers it is given up on after twice
    // the association's timeout (or the tools' default).
    const timeoutMs = a.timeoutSeconds === undefined ? undefined : 2_000 * a.timeoutSeconds;
    return runTool(requireBinary("echoscu"), [...associationArgs(a), "127.0.0.1", String(a.port)], { env: DCMTK_ENV(), timeoutMs });
}

/** C-STORE with dcmtk's storescu. */
/** storescu; `flags` adds options such as `-xv` (propose JPEG 2000 lossless, for files stored that way). */
export function store(a: Association, files: string[], flags: string[] = []): Promise<ToolResult> {
    return runTool(requireBinary("storescu"), [...flags, ...associationArgs(a), "127.0.0.1", String(a.port), ...files], { env: DCMTK_ENV() });
}
