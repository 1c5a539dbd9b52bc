import { CtInstance, ctDataset, CT_IMAGE_STORAGE, encode, EXPLICIT_VR_LITTLE_ENDIAN, fileMeta } from "../real/synthetic";
import { assemble, boundaries, encodeEach, Encoded, item, nestedSequences, rawElement, sequence, tagOf } from "./bytes";

/**
 * pacstack's own hostile-input corpus, generated (never downloaded): each case is the synthetic CT instance with
 * one named mutation. A case carries the whole Part 10 file (sent by REST POST /instances and STOW-RS) and what a
 * DICOM peer would send for it (the data set and the transfer syntax it proposes, sent by C-STORE). Pure: no I/O.
 */

export type Route = "rest" | "stow" | "dicom";
export const ROUTES: readonly Route[] = ["rest", "stow", "dicom"];
export type Family = "truncation" | "lying-length" | "huge-length" | "nesting" | "transfer-syntax" | "uid" | "charset" | "fuzz";

export interface HostileCase {
    /** family/what, unique: the key of the expectations table. */
    name: string;
    family: Family;
    /** The routes the mutation means something on: a lie in the file meta group never crosses the network. */
    routes: readonly Route[];
    /** The whole Part 10 file. */
    file: Buffer;
    /** What a DICOM peer sends: the data set as encoded in `transferSyntax`, the classes it names in the command. */
    network: { transferSyntax: string; dataset: Buffer; sopClass: string; sopUid: string };
    /** The UIDs the case's instance carries (possibly empty or borrowed from the earlier study). */
    uids: { study: string; series: string; sop: string };
}

const FILE_ROUTES: readonly Route[] = ["rest", "stow"];
const ALL_ROUTES = ROUTES;
const PREAMBLE = Buffer.concat([Buffer.alloc(128), Buffer.from("DICM", "latin1")]);
const IMPLICIT_VR_LITTLE_ENDIAN = "1.2.840.10008.1.2";
const EXPLICIT_VR_BIG_ENDIAN = "1.2.840.10008.1.2.2";
const DEFLATED = "1.2.840.10008.1.2.1.99";
const JPEG_BASELINE = "1.2.840.10008.1.2.4.50";
const LONG_HEADER = new Set(["OB", "OW", "SQ", "UN", "UT"]);

/** The meta group: its group length element (the real length, or a lie) and its body. */
function metaGroup(sopUid: string, transferSyntax: string, groupLength?: number): Buffer {
    const body = encode(fileMeta({ sopUid }, transferSyntax));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(groupLength ?? body.length, 0);
    return Buffer.concat([rawElement(0x0002, 0x0000, "UL", length).bytes, body]);
}

interface Base {
    instance: CtInstance;
    elements: Encoded[];
}

/** A small valid instance with fresh UIDs: the material every case mutates. */
export function baseInstance(uid: () => string, tag: string): Base {
    const instance: CtInstance = {
        patientId: `HOSTILE-${tag}`.slice(0, 64),
        patientName: "HOSTILE^CORPUS",
        studyUid: uid(),
        seriesUid: uid(),
        sopUid: uid(),
        studyDate: "20250303",
        accessionNumber: "HOSTILE",
        studyDescription: `hostile ${tag}`.slice(0, 64),
        seriesNumber: 1,
        instanceNumber: 1,
        rows: 8,
        columns: 8,
    };
    return { instance, elements: encodeEach(ctDataset(instance)) };
}

interface Variant {
    name: string;
    family: Family;
    routes?: readonly Route[];
    /** Data set changes; the file and the network send the same bytes unless `file` replaces the whole file. */
    dataset?: (b: Base) => Buffer;
    transferSyntax?: string;
    file?: (b: Base, dataset: Buffer) => Buffer;
    /** UIDs as the case's instance carries them, when a mutation changes them. */
    uids?: (b: Base) => HostileCase["uids"];
}

function build(uid: () => string, v: Variant): HostileCase {
    const base = baseInstance(uid, v.name);
    const ts = v.transferSyntax ?? EXPLICIT_VR_LITTLE_ENDIAN;
    const dataset = v.dataset ? v.dataset(base) : assemble(base.elements);
    const file = v.file ? v.file(base, dataset) : Buffer.concat([PREAMBLE, metaGroup(base.instance.sopUid, ts), dataset]);
    const uids = v.uids ? v.uids(base) : { study: base.instance.studyUid, series: base.instance.seriesUid, sop: base.instance.sopUid };
    return {
        name: v.name,
        family: v.family,
        routes: v.routes ?? ALL_ROUTES,
        file,
        network: { transferSyntax: ts, dataset, sopClass: CT_IMAGE_STORAGE, sopUid: uids.sop },
        uids,
    };
}

const text = (value: string) => Buffer.from(value.length % 2 ? `${value} ` : value, "latin1");
const uidValue = (value: string) => Buffer.from(value.length % 2 ? `${value}\0` : value, "latin1");
const replaceUid = (element: number, group: number, value: string): Encoded => rawElement(group, element, "UI", uidValue(value));
const without = (b: Base, tag: number) => assemble(b.elements.filter((e) => e.tag !== tag));

/** Where to cut the data set of `b`: inside the header or inside the value of its element number `index`. */
function cutAt(b: Base, index: number, where: "header" | "value"): number {
    const start = boundaries(b.elements)[index];
    const e = b.elements[index].bytes;
    const header = LONG_HEADER.has(e.subarray(4, 6).toString("latin1")) ? 12 : 8;
    return where === "header" ? start + 5 : start + header + Math.floor((e.length - header) / 2);
}

/** Cut the data set inside the header and inside the value of every element (the structural boundaries). */
function truncations(): Variant[] {
    // Every base has the same elements in the same order (only the UIDs' lengths differ): names come from one.
    const probe = baseInstance(() => "1.2.3", "probe").elements;
    const cut = (index: number, where: "header" | "value") => (b: Base) => assemble(b.elements).subarray(0, cutAt(b, index, where));
    const out: Variant[] = [
        { name: "truncation/inside-preamble", family: "truncation", routes: FILE_ROUTES, file: () => Buffer.alloc(64) },
        { name: "truncation/after-dicm", family: "truncation", routes: FILE_ROUTES, file: () => PREAMBLE },
        { name: "truncation/inside-meta-group-length", family: "truncation", routes: FILE_ROUTES, file: (b) => Buffer.concat([PREAMBLE, metaGroup(b.instance.sopUid, EXPLICIT_VR_LITTLE_ENDIAN)]).subarray(0, 138) },
        { name: "truncation/inside-meta", family: "truncation", routes: FILE_ROUTES, file: (b) => Buffer.concat([PREAMBLE, metaGroup(b.instance.sopUid, EXPLICIT_VR_LITTLE_ENDIAN)]).subarray(0, 180) },
        { name: "truncation/empty-data-set", family: "truncation", routes: FILE_ROUTES, dataset: () => Buffer.alloc(0) },
    ];
    probe.forEach((e, i) => {
        const tag = `${(e.tag >>> 16).toString(16).padStart(4, "0")}${(e.tag & 0xffff).toString(16).padStart(4, "0")}`;
        out.push({ name: `truncation/header-of-${tag}`, family: "truncation", routes: ["rest"], dataset: cut(i, "header") });
        const header = LONG_HEADER.has(e.bytes.subarray(4, 6).toString("latin1")) ? 12 : 8;
        if (e.bytes.length - header > 1) out.push({ name: `truncation/value-of-${tag}`, family: "truncation", routes: ["rest"], dataset: cut(i, "value") });
    });
    // The same cuts over every route for the first element, the patient name, and the pixel data.
    const patientName = probe.findIndex((e) => e.tag === tagOf(0x10, 0x10));
    for (const [label, index, where] of [["first-element", 0, "header"], ["patient-name", patientName, "value"], ["pixel-data", probe.length - 1, "value"]] as const) {
        out.push({ name: `truncation/every-route-${label}`, family: "truncation", dataset: cut(index, where) });
    }
    return out;
}

function lyingLengths(): Variant[] {
    const metaLie = (name: string, length: (real: number) => number, routes: readonly Route[] = FILE_ROUTES): Variant => ({
        name: `lying-length/meta-group-${name}`,
        family: "lying-length",
        routes,
        file: (b, dataset) => {
            const real = encode(fileMeta(b.instance, EXPLICIT_VR_LITTLE_ENDIAN)).length;
            return Buffer.concat([PREAMBLE, metaGroup(b.instance.sopUid, EXPLICIT_VR_LITTLE_ENDIAN, length(real)), dataset]);
        },
    });
    const itemOf = (b: Base) => rawElement(0x0008, 0x1150, "UI", uidValue(CT_IMAGE_STORAGE)).bytes;
    const seq = (mode: Parameters<typeof sequence>[3], itemMode: Parameters<typeof item>[1]) => (b: Base) => assemble(b.elements, [sequence(0x0008, 0x1140, [item(itemOf(b), itemMode)], mode)]);
    return [
        // A sweep around the real length over REST (STOW-RS reads the file the same way: its ends only).
        ...[-9, -7, -4, -2, -1, 1, 2, 3, 4, 7, 9, 14, 40].map((k) => metaLie(k < 0 ? `minus-${-k}` : `plus-${k}`, (real) => real + k, ["rest"])),
        metaLie("zero", () => 0),
        metaLie("plus-1000", (real) => real + 1000),
        metaLie("minus-100", (real) => real - 100),
        metaLie("max", () => 0xfffffffe),
        { name: "lying-length/pn-past-end", family: "lying-length", dataset: (b) => assemble(b.elements, [rawElement(0x0010, 0x0010, "PN", text("LIAR^PATIENT"), 0xfffe)]) },
        { name: "lying-length/ui-odd", family: "lying-length", dataset: (b) => assemble(b.elements, [rawElement(0x0008, 0x0016, "UI", uidValue(CT_IMAGE_STORAGE), CT_IMAGE_STORAGE.length + 1)]) },
        { name: "lying-length/us-200", family: "lying-length", dataset: (b) => assemble(b.elements, [rawElement(0x0028, 0x0002, "US", Buffer.from([1, 0]), 200)]) },
        { name: "lying-length/item-longer-than-sequence", family: "lying-length", dataset: seq("defined", 4000) },
        { name: "lying-length/item-shorter-than-content", family: "lying-length", dataset: seq("defined", 6) },
        { name: "lying-length/sequence-longer-than-file", family: "lying-length", dataset: seq(0x7ffffff0, "defined") },
        { name: "lying-length/sequence-shorter-than-item", family: "lying-length", dataset: seq(10, "defined") },
        { name: "lying-length/item-undefined-never-closed", family: "lying-length", dataset: (b) => Buffer.concat([assemble(b.elements), unclosed()]) },
        { name: "lying-length/sequence-undefined-never-closed", family: "lying-length", dataset: (b) => Buffer.concat([assemble(b.elements.filter((e) => e.tag < tagOf(0x0008, 0x1140))), sequence(0x0008, 0x1140, [item(itemOf(b))], "undefined").bytes.subarray(0, -8)]) },
    ];
}

/** An undefined-length item in an undefined-length sequence, both never closed, at the end of the data set. */
function unclosed(): Buffer {
    const header = Buffer.alloc(8);
    header.writeUInt16LE(0xfffe, 0);
    header.writeUInt16LE(0xe000, 2);
    header.writeUInt32LE(0xffffffff, 4);
    return Buffer.concat([rawElement(0x7fe1, 0x1010, "SQ", Buffer.alloc(0), 0xffffffff).bytes, header, rawElement(0x0040, 0xa160, "UT", text("open")).bytes]);
}

function hugeLengths(): Variant[] {
    return [
        { name: "huge-length/pixel-data", family: "huge-length", dataset: (b) => assemble(b.elements, [rawElement(0x7fe0, 0x0010, "OW", Buffer.alloc(128), 0xfffffff0)]) },
        { name: "huge-length/ob-mid-file", family: "huge-length", dataset: (b) => assemble(b.elements, [rawElement(0x0009, 0x1010, "OB", Buffer.alloc(16), 0xfffffff0)]) },
        { name: "huge-length/un-undefined", family: "huge-length", dataset: (b) => assemble(b.elements, [rawElement(0x0009, 0x1012, "UN", Buffer.alloc(16), 0xfffffffe)]) },
        { name: "huge-length/ut-2-gib", family: "huge-length", dataset: (b) => assemble(b.elements, [rawElement(0x0040, 0xa160, "UT", text("x"), 0x80000000)]) },
        {
            name: "huge-length/meta-element",
            family: "huge-length",
            routes: FILE_ROUTES,
            file: (b, dataset) => {
                const body = Buffer.concat([rawElement(0x0002, 0x0001, "OB", Buffer.from([0, 1]), 0xfffffff0).bytes, encode(fileMeta(b.instance).slice(1))]);
                return Buffer.concat([PREAMBLE, rawElement(0x0002, 0x0000, "UL", Buffer.from(Uint32Array.of(body.length).buffer)).bytes, body, dataset]);
            },
        },
    ];
}

/** Sequence nesting at increasing depth: both length forms around the depth where Debian's Orthanc builds fail. */
export const NESTING: ReadonlyArray<[number, "defined" | "undefined"]> = [
    [16, "defined"],
    [32, "undefined"],
    [48, "defined"],
    [48, "undefined"],
    [1024, "undefined"],
    [8192, "defined"],
];
function nesting(): Variant[] {
    return NESTING.map(([depth, mode]) => ({
        name: `nesting/depth-${depth}-${mode}`,
        family: "nesting" as const,
        dataset: (b: Base) => assemble(b.elements, [nestedSequences(depth, mode)]),
    }));
}

function transferSyntaxes(): Variant[] {
    return [
        { name: "transfer-syntax/unknown", family: "transfer-syntax", transferSyntax: "1.2.826.0.1.3680043.10.1455.999" },
        { name: "transfer-syntax/empty", family: "transfer-syntax", routes: FILE_ROUTES, transferSyntax: "" },
        { name: "transfer-syntax/implicit-declared", family: "transfer-syntax", transferSyntax: IMPLICIT_VR_LITTLE_ENDIAN },
        { name: "transfer-syntax/big-endian-declared", family: "transfer-syntax", transferSyntax: EXPLICIT_VR_BIG_ENDIAN },
        { name: "transfer-syntax/deflate-declared", family: "transfer-syntax", transferSyntax: DEFLATED },
        { name: "transfer-syntax/jpeg-declared-native-pixels", family: "transfer-syntax", transferSyntax: JPEG_BASELINE },
    ];
}

/** `earlier`: an instance of a study stored before; duplicates borrow its UIDs. */
function uids(earlier: Pick<CtInstance, "studyUid" | "seriesUid" | "sopUid">): Variant[] {
    const swap = (name: string, changes: Array<[number, string]>, carried: (b: Base) => HostileCase["uids"]): Variant => ({
        name: `uid/${name}`,
        family: "uid",
        dataset: (b) => assemble(b.elements, changes.map(([element, value]) => replaceUid(element, element === 0x0018 ? 0x0008 : 0x0020, value))),
        uids: carried,
    });
    const mine = (b: Base) => ({ study: b.instance.studyUid, series: b.instance.seriesUid, sop: b.instance.sopUid });
    return [
        swap("empty-sop", [[0x0018, ""]], (b) => ({ ...mine(b), sop: "" })),
        swap("empty-study", [[0x000d, ""]], (b) => ({ ...mine(b), study: "" })),
        swap("empty-series", [[0x000e, ""]], (b) => ({ ...mine(b), series: "" })),
        { name: "uid/missing-sop", family: "uid", dataset: (b) => without(b, tagOf(0x0008, 0x0018)), uids: (b) => ({ ...mine(b), sop: "" }) },
        swap("duplicate-sop-of-earlier", [[0x0018, earlier.sopUid]], (b) => ({ ...mine(b), sop: earlier.sopUid })),
        swap("duplicate-all-of-earlier", [[0x000d, earlier.studyUid], [0x000e, earlier.seriesUid], [0x0018, earlier.sopUid]], () => ({ study: earlier.studyUid, series: earlier.seriesUid, sop: earlier.sopUid })),
        swap("duplicate-study-of-earlier", [[0x000d, earlier.studyUid]], (b) => ({ ...mine(b), study: earlier.studyUid })),
        swap("too-long", [[0x0018, `1.2.${"9".repeat(120)}`]], (b) => ({ ...mine(b), sop: `1.2.${"9".repeat(120)}` })),
        swap("not-numeric", [[0x0018, "abc.def/../..\\x"]], (b) => ({ ...mine(b), sop: "abc.def/../..\\x" })),
    ];
}

function charsets(): Variant[] {
    const withCharset = (name: string, term: Buffer, patientName: Buffer): Variant => ({
        name: `charset/${name}`,
        family: "charset",
        dataset: (b) => assemble(b.elements, [rawElement(0x0008, 0x0005, "CS", term), rawElement(0x0010, 0x0010, "PN", patientName)]),
    });
    const even = (b: Buffer) => (b.length % 2 ? Buffer.concat([b, Buffer.from(" ")]) : b);
    return [
        withCharset("unknown-term", text("ISO_IR 999"), text("UNKNOWN^CHARSET")),
        withCharset("invalid-utf8", text("ISO_IR 192"), even(Buffer.from([0x42, 0xc3, 0x28, 0xe2, 0x82, 0x5e, 0xf0, 0x9f, 0x92]))),
        withCharset("iso2022-bad-escape", text("\\ISO 2022 IR 87"), even(Buffer.from([0x1b, 0x24, 0x42, 0xff, 0xfe, 0x1b, 0x28, 0x5e, 0x41]))),
        withCharset("many-values", text(Array(40).fill("ISO 2022 IR 100").join("\\")), text("MANY^TERMS")),
        withCharset("control-bytes", text("ISO_IR 100"), even(Buffer.from([0x00, 0x01, 0x5e, 0x7f, 0x1b]))),
    ];
}

/** Every case, each with fresh UIDs from `uid`; duplicates borrow `earlier`'s. */
export function hostileCorpus(uid: () => string, earlier: Pick<CtInstance, "studyUid" | "seriesUid" | "sopUid">): HostileCase[] {
    const variants = [...truncations(), ...lyingLengths(), ...hugeLengths(), ...nesting(), ...transferSyntaxes(), ...uids(earlier), ...charsets()];
    const names = new Set<string>();
    for (const v of variants) {
        if (names.has(v.name)) throw new Error(`duplicate corpus case ${v.name}`);
        names.add(v.name);
    }
    return variants.map((v) => build(uid, v));
}
