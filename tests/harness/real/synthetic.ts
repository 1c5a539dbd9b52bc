import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Synthetic DICOM Part 10 files (Explicit VR Little Endian), written without any tool so a benchmark can make
 * thousands of them in seconds. The CT Image Storage objects carry the tags a viewer and Orthanc's index use
 * (patient, study, series, instance modules, image plane, pixel module), with 16-bit MONOCHROME2 pixel data.
 */

export const CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2";
export const EXPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2.1";
const IMPLEMENTATION_CLASS_UID = "1.2.826.0.1.3680043.10.1455.1";

/** A fresh UID under the 2.25 root (UUID-derived, ISO/IEC 9834-8), unique without a registered prefix. */
export function newUid(): string {
    return `2.25.${BigInt(`0x${randomBytes(16).toString("hex")}`).toString()}`;
}

const LONG_LENGTH_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT"]);

type Value = string | number | Array<string | number> | Buffer;

export interface Element {
    group: number;
    element: number;
    vr: string;
    value: Value;
}

function valueBytes(vr: string, value: Value): Buffer {
    if (Buffer.isBuffer(value)) {
        return value.length % 2 === 0 ? value : Buffer.concat([value, Buffer.alloc(1)]);
    }
    if (vr === "US") {
        const numbers = (Array.isArray(value) ? value : [value]).map(Number);
        const out = Buffer.alloc(2 * numbers.length);
        numbers.forEach((n, i) => out.writeUInt16LE(n, 2 * i));
        return out;
    }
    if (vr === "UL") {
        const out = Buffer.alloc(4);
        out.writeUInt32LE(Number(value), 0);
        return out;
    }
    const text = Array.isArray(value) ? value.join("\\") : String(value);
    const bytes = Buffer.from(text, "latin1");
    // UIDs are padded with NUL, every other text VR with a space, to an even length (PS3.5 6.2).
    return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from(vr === "UI" ? "\0" : " ", "latin1")]);
}

/** Elements in tag order, Explicit VR Little Endian. */
export function encode(elements: Element[]): Buffer {
    const sorted = [...elements].sort((a, b) => a.group - b.group || a.element - b.element);
    const parts: Buffer[] = [];
    for (const e of sorted) {
        const value = valueBytes(e.vr, e.value);
        const long = LONG_LENGTH_VRS.has(e.vr);
        const header = Buffer.alloc(long ? 12 : 8);
        header.writeUInt16LE(e.group, 0);
        header.writeUInt16LE(e.element, 2);
        header.write(e.vr, 4, "latin1");
        if (long) header.writeUInt32LE(value.length, 8);
        else header.writeUInt16LE(value.length, 6);
        parts.push(header, value);
    }
    return Buffer.concat(parts);
}

export interface CtInstance {
    patientId: string;
    patientName: string;
    studyUid: string;
    seriesUid: string;
    sopUid: string;
    /** YYYYMMDD */
    studyDate: string;
    accessionNumber: string;
    studyDescription: string;
    seriesNumber: number;
    instanceNumber: number;
    rows: number;
    columns: number;
    modality?: string;
}

/** The 16-bit pixel values of one instance: a gradient, shifted by the instance number so every slice differs. */
export function ctPixels(instance: Pick<CtInstance, "rows" | "columns" | "instanceNumber">): Buffer {
    const { rows, columns } = instance;
    const pixels = Buffer.alloc(rows * columns * 2);
    for (let y = 0; y < rows; y++) {
        for (let x = 0; x < columns; x++) {
            pixels.writeUInt16LE((x + y + 7 * instance.instanceNumber) & 0x0fff, 2 * (y * columns + x));
        }
    }
    return pixels;
}

/** The data set of a CT Image Storage instance, element by element (unsorted). */
export function ctDataset(instance: CtInstance, pixels: Buffer = ctPixels(instance)): Element[] {
    const z = -(instance.instanceNumber * 1.25).toFixed(2);
    return [
        { group: 0x0008, element: 0x0005, vr: "CS", value: "ISO_IR 100" },
        { group: 0x0008, element: 0x0008, vr: "CS", value: ["ORIGINAL", "PRIMARY", "AXIAL"] },
        { group: 0x0008, element: 0x0016, vr: "UI", value: CT_IMAGE_STORAGE },
        { group: 0x0008, element: 0x0018, vr: "UI", value: instance.sopUid },
        { group: 0x0008, element: 0x0020, vr: "DA", value: instance.studyDate },
        { group: 0x0008, element: 0x0030, vr: "TM", value: "101500" },
        { group: 0x0008, element: 0x0050, vr: "SH", value: instance.accessionNumber },
        { group: 0x0008, element: 0x0060, vr: "CS", value: instance.modality ?? "CT" },
        { group: 0x0008, element: 0x0070, vr: "LO", value: "pacstack synthetic" },
        { group: 0x0008, element: 0x0090, vr: "PN", value: "REFERRING^DOCTOR" },
        { group: 0x0008, element: 0x1030, vr: "LO", value: instance.studyDescription },
        { group: 0x0008, element: 0x103e, vr: "LO", value: `Series ${instance.seriesNumber}` },
        { group: 0x0010, element: 0x0010, vr: "PN", value: instance.patientName },
        { group: 0x0010, element: 0x0020, vr: "LO", value: instance.patientId },
        { group: 0x0010, element: 0x0030, vr: "DA", value: "19700101" },
        { group: 0x0010, element: 0x0040, vr: "CS", value: "O" },
        { group: 0x0018, element: 0x0050, vr: "DS", value: "1.25" },
        { group: 0x0018, element: 0x0060, vr: "DS", value: "120" },
        { group: 0x0020, element: 0x000d, vr: "UI", value: instance.studyUid },
        { group: 0x0020, element: 0x000e, vr: "UI", value: instance.seriesUid },
        { group: 0x0020, element: 0x0010, vr: "SH", value: instance.accessionNumber.slice(0, 16) },
        { group: 0x0020, element: 0x0011, vr: "IS", value: String(instance.seriesNumber) },
        { group: 0x0020, element: 0x0013, vr: "IS", value: String(instance.instanceNumber) },
        { group: 0x0020, element: 0x0032, vr: "DS", value: ["-250", "-250", String(z)] },
        { group: 0x0020, element: 0x0037, vr: "DS", value: ["1", "0", "0", "0", "1", "0"] },
        { group: 0x0020, element: 0x0052, vr: "UI", value: `${instance.studyUid}.1` },
        { group: 0x0020, element: 0x1041, vr: "DS", value: String(z) },
        { group: 0x0028, element: 0x0002, vr: "US", value: 1 },
        { group: 0x0028, element: 0x0004, vr: "CS", value: "MONOCHROME2" },
        { group: 0x0028, element: 0x0010, vr: "US", value: instance.rows },
        { group: 0x0028, element: 0x0011, vr: "US", value: instance.columns },
        { group: 0x0028, element: 0x0030, vr: "DS", value: ["0.976", "0.976"] },
        { group: 0x0028, element: 0x0100, vr: "US", value: 16 },
        { group: 0x0028, element: 0x0101, vr: "US", value: 12 },
        { group: 0x0028, element: 0x0102, vr: "US", value: 11 },
        { group: 0x0028, element: 0x0103, vr: "US", value: 0 },
        { group: 0x0028, element: 0x1050, vr: "DS", value: "40" },
        { group: 0x0028, element: 0x1051, vr: "DS", value: "400" },
        { group: 0x0028, element: 0x1052, vr: "DS", value: "-1024" },
        { group: 0x0028, element: 0x1053, vr: "DS", value: "1" },
        { group: 0x7fe0, element: 0x0010, vr: "OW", value: pixels },
    ];
}

/** The file meta group's elements after its group length, for this instance and transfer syntax. */
export function fileMeta(instance: Pick<CtInstance, "sopUid">, transferSyntax = EXPLICIT_VR_LITTLE_ENDIAN): Element[] {
    return [
        { group: 0x0002, element: 0x0001, vr: "OB", value: Buffer.from([0, 1]) },
        { group: 0x0002, element: 0x0002, vr: "UI", value: CT_IMAGE_STORAGE },
        { group: 0x0002, element: 0x0003, vr: "UI", value: instance.sopUid },
        { group: 0x0002, element: 0x0010, vr: "UI", value: transferSyntax },
        { group: 0x0002, element: 0x0012, vr: "UI", value: IMPLEMENTATION_CLASS_UID },
        { group: 0x0002, element: 0x0013, vr: "SH", value: "PACSTACK_BENCH" },
    ];
}

/** Preamble, DICM, the meta group with its group length, then the data set bytes as given. */
export function partTen(meta: Element[], dataset: Buffer): Buffer {
    const metaBody = encode(meta);
    const groupLength = encode([{ group: 0x0002, element: 0x0000, vr: "UL", value: metaBody.length }]);
    return Buffer.concat([Buffer.alloc(128), Buffer.from("DICM", "latin1"), groupLength, metaBody, dataset]);
}

/** A complete CT Image Storage file (preamble, DICM, file meta group, data set). */
export function ctFile(instance: CtInstance, pixels: Buffer = ctPixels(instance)): Buffer {
    return partTen(fileMeta(instance), encode(ctDataset(instance, pixels)));
}

export interface SyntheticFile extends CtInstance {
    file: string;
    bytes: number;
}

export interface SeriesPlan {
    /** Instances in all. */
    instances: number;
    /** Instances per series (a new series, in the same study, after that many). */
    perSeries: number;
    rows: number;
    columns: number;
    patientId?: string;
}

/** Writes one study of CT series into `dir` (file names sort in sending order); returns the files. */
export function writeCtStudy(dir: string, plan: SeriesPlan): SyntheticFile[] {
    mkdirSync(dir, { recursive: true });
    const patientId = plan.patientId ?? `SYN${randomBytes(4).toString("hex").toUpperCase()}`;
    const study = { studyUid: newUid(), accessionNumber: `A${randomBytes(6).toString("hex")}`, studyDate: "20250102" };
    const files: SyntheticFile[] = [];
    let seriesUid = "";
    for (let i = 0; i < plan.instances; i++) {
        if (i % plan.perSeries === 0) seriesUid = newUid();
        const instance: CtInstance = {
            ...study,
            patientId,
            patientName: `SYNTHETIC^${patientId}`,
            studyDescription: "Synthetic CT",
            seriesUid,
            sopUid: newUid(),
            seriesNumber: Math.floor(i / plan.perSeries) + 1,
            instanceNumber: (i % plan.perSeries) + 1,
            rows: plan.rows,
            columns: plan.columns,
        };
        const data = ctFile(instance);
        const file = join(dir, `${String(i).padStart(6, "0")}.dcm`);
        writeFileSync(file, data);
        files.push({ ...instance, file, bytes: data.length });
    }
    return files;
}

/**
 * `count` studies of one small instance each, one patient per study, study dates spread over 2023-2024 and
 * two modalities: the population a worklist-style QIDO-RS search runs against.
 */
export function writeStudyPopulation(dir: string, count: number, size = 16): SyntheticFile[] {
    mkdirSync(dir, { recursive: true });
    const files: SyntheticFile[] = [];
    const start = Date.UTC(2023, 0, 1);
    for (let i = 0; i < count; i++) {
        const patientId = `POP${String(i).padStart(6, "0")}`;
        const date = new Date(start + (i % 730) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, "");
        const instance: CtInstance = {
            patientId,
            patientName: `POPULATION^${patientId}`,
            studyUid: newUid(),
            seriesUid: newUid(),
            sopUid: newUid(),
            studyDate: date,
            accessionNumber: `ACC${String(i).padStart(7, "0")}`,
            studyDescription: i % 2 === 0 ? "CT CHEST" : "MR BRAIN",
            modality: i % 2 === 0 ? "CT" : "MR",
            seriesNumber: 1,
            instanceNumber: 1,
            rows: size,
            columns: size,
        };
        const data = ctFile(instance);
        const file = join(dir, `${String(i).padStart(6, "0")}.dcm`);
        writeFileSync(file, data);
        files.push({ ...instance, file, bytes: data.length });
    }
    return files;
}
