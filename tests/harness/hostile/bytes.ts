import { encode, Element } from "../real/synthetic";

/**
 * Byte-level DICOM pieces (Explicit VR Little Endian) for the hostile corpus: elements whose lengths may lie,
 * sequences and items of defined or undefined length, and data sets as ordered lists of encoded elements so a
 * case can cut, replace or insert at an element boundary.
 */

export const UNDEFINED_LENGTH = 0xffffffff;
const LONG_HEADER_VRS = new Set(["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "UC", "UN", "UR", "UT"]);

/** One encoded element with its tag, so lists of them stay sortable. */
export interface Encoded {
    tag: number;
    bytes: Buffer;
}

export const tagOf = (group: number, element: number): number => group * 0x10000 + element;

/** An element header and value; `length` overrides the length field (a lie), the value bytes stay as given. */
export function rawElement(group: number, element: number, vr: string, value: Buffer, length?: number): Encoded {
    const long = LONG_HEADER_VRS.has(vr);
    const header = Buffer.alloc(long ? 12 : 8);
    header.writeUInt16LE(group, 0);
    header.writeUInt16LE(element, 2);
    header.write(vr, 4, "latin1");
    if (long) header.writeUInt32LE(length ?? value.length, 8);
    else header.writeUInt16LE(length ?? value.length, 6);
    return { tag: tagOf(group, element), bytes: Buffer.concat([header, value]) };
}

function tagHeader(group: number, element: number, length: number): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt16LE(group, 0);
    out.writeUInt16LE(element, 2);
    out.writeUInt32LE(length, 4);
    return out;
}

/** An item (FFFE,E000) around `content`: defined length (or the given lie) or undefined length with its delimiter. */
export function item(content: Buffer, mode: "defined" | "undefined" | number = "defined"): Buffer {
    if (mode === "undefined") return Buffer.concat([tagHeader(0xfffe, 0xe000, UNDEFINED_LENGTH), content, tagHeader(0xfffe, 0xe00d, 0)]);
    return Buffer.concat([tagHeader(0xfffe, 0xe000, mode === "defined" ? content.length : mode), content]);
}

/** A sequence element around encoded items: defined length (or a lie) or undefined length with its delimiter. */
export function sequence(group: number, element: number, items: Buffer[], mode: "defined" | "undefined" | number = "defined"): Encoded {
    const body = Buffer.concat(items);
    if (mode === "undefined") return rawElement(group, element, "SQ", Buffer.concat([body, tagHeader(0xfffe, 0xe0dd, 0)]), UNDEFINED_LENGTH);
    return rawElement(group, element, "SQ", body, mode === "defined" ? undefined : mode);
}

/** Sequences nested `depth` deep (Content Sequence in an item of a Content Sequence ...), a text value at the bottom. */
export function nestedSequences(depth: number, mode: "defined" | "undefined"): Encoded {
    let inner = rawElement(0x0040, 0xa160, "UT", Buffer.from("bottom  ", "latin1")).bytes;
    for (let level = 0; level < depth; level++) inner = sequence(0x0040, 0xa730, [item(inner, mode)], mode).bytes;
    return { tag: tagOf(0x0040, 0xa730), bytes: inner.subarray(0) };
}

/** Elements encoded one by one, in tag order. */
export function encodeEach(elements: Element[]): Encoded[] {
    return elements
        .map((e) => ({ tag: tagOf(e.group, e.element), bytes: encode([e]) }))
        .sort((a, b) => a.tag - b.tag);
}

/** A data set from encoded elements: `replace` swaps elements of the same tag, new tags go in tag order. */
export function assemble(elements: Encoded[], replace: Encoded[] = []): Buffer {
    const byTag = new Map(elements.map((e) => [e.tag, e]));
    for (const r of replace) byTag.set(r.tag, r);
    return Buffer.concat([...byTag.values()].sort((a, b) => a.tag - b.tag).map((e) => e.bytes));
}

/** Offsets of every element start in an assembled data set, and its end. */
export function boundaries(elements: Encoded[]): number[] {
    const out: number[] = [];
    let offset = 0;
    for (const e of elements) {
        out.push(offset);
        offset += e.bytes.length;
    }
    return [...out, offset];
}
