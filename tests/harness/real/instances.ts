import { HttpAnswer, HttpOptions } from "./http";
import { ctPixels, SyntheticFile } from "./synthetic";

/** Anything that answers Orthanc REST calls with credentials (an OrthancServer). */
export interface OrthancRest {
    request(path: string, options?: HttpOptions): Promise<HttpAnswer>;
}

function json<T>(answer: HttpAnswer, what: string): T {
    if (answer.status !== 200) throw new Error(`${what}: HTTP ${answer.status} ${answer.body.toString().slice(0, 300)}`);
    return JSON.parse(answer.body.toString()) as T;
}

export async function countInstances(orthanc: OrthancRest): Promise<number> {
    return json<{ CountInstances: number }>(await orthanc.request("/statistics"), "/statistics").CountInstances;
}

/** Orthanc's identifier of the instance with this SOP Instance UID, or undefined when it is not indexed. */
export async function instanceId(orthanc: OrthancRest, sopUid: string): Promise<string | undefined> {
    const found = json<Array<{ ID: string; Type: string }>>(await orthanc.request("/tools/lookup", { method: "POST", body: sopUid }), "/tools/lookup");
    return found.find((r) => r.Type === "Instance")?.ID;
}

/**
 * Why `file` is not stored intact (undefined when it is): the instance must be indexed, its DICOM file must be
 * readable from the storage area, and its pixel data must be exactly what was sent.
 */
export async function storedIntact(orthanc: OrthancRest, file: SyntheticFile): Promise<string | undefined> {
    const id = await instanceId(orthanc, file.sopUid);
    if (!id) return `${file.sopUid} is not indexed`;
    const dicom = await orthanc.request(`/instances/${id}/file`);
    if (dicom.status !== 200) return `${file.sopUid}: GET /instances/${id}/file answered ${dicom.status}`;
    const raw = await orthanc.request(`/instances/${id}/frames/0/raw`);
    if (raw.status !== 200) return `${file.sopUid}: GET /instances/${id}/frames/0/raw answered ${raw.status}`;
    if (!raw.body.equals(ctPixels(file))) return `${file.sopUid}: pixel data differs from what was sent`;
    return undefined;
}

/** Every problem found among `files` (empty when all are stored intact). */
export async function problems(orthanc: OrthancRest, files: SyntheticFile[]): Promise<string[]> {
    const out: string[] = [];
    for (const file of files) {
        const problem = await storedIntact(orthanc, file);
        if (problem) out.push(problem);
    }
    return out;
}
