import { CT_IMAGE_STORAGE, encode, EXPLICIT_VR_LITTLE_ENDIAN, fileMeta } from "../real/synthetic";
import { assemble, nestedSequences, sequence, item, rawElement } from "./bytes";
import { baseInstance, HostileCase, Route, ROUTES } from "./corpus";

/**
 * pacstack's own mutation fuzzer: a seeded generator of byte-level mutations of valid instances. A found case is
 * stored as its recipe (seed instance, route, mutations), never as bytes: replaying the recipe rebuilds the file
 * exactly, because the seeds use fixed UIDs.
 */

export type Mutation =
    | { op: "set"; at: number; hex: string }
    | { op: "cut"; at: number; length: number }
    | { op: "insert"; at: number; hex: string }
    | { op: "truncate"; at: number };

export interface Recipe {
    seed: SeedName;
    route: Route;
    /** What the mutations apply to: the data set, or (web routes) the whole file, preamble and meta group included. */
    scope?: "dataset" | "file";
    mutations: Mutation[];
}

/** xorshift32: small, seeded, reproducible. */
export function random(seed: number): () => number {
    let x = seed >>> 0 || 0x9e3779b9;
    return () => {
        x ^= x << 13;
        x >>>= 0;
        x ^= x >>> 17;
        x ^= x << 5;
        x >>>= 0;
        return x / 0x100000000;
    };
}

const fixedUids = (): (() => string) => {
    let n = 0;
    return () => `1.2.826.0.1.3680043.10.1455.77.${++n}`;
};

/** The valid instances mutations start from: plain, with a sequence, with nesting (defined and undefined lengths). */
export const SEEDS = {
    plain: () => assemble(baseInstance(fixedUids(), "fuzz-plain").elements),
    sequence: () => {
        const b = baseInstance(fixedUids(), "fuzz-sequence");
        const reference = rawElement(0x0008, 0x1150, "UI", Buffer.from(`${CT_IMAGE_STORAGE}\0`, "latin1")).bytes;
        return assemble(b.elements, [sequence(0x0008, 0x1140, [item(reference), item(reference, "undefined")], "undefined")]);
    },
    nested: () => assemble(baseInstance(fixedUids(), "fuzz-nested").elements, [nestedSequences(12, "defined")]),
    "nested-undefined": () => assemble(baseInstance(fixedUids(), "fuzz-nested-u").elements, [nestedSequences(12, "undefined")]),
} as const;
export type SeedName = keyof typeof SEEDS;
export const SEED_NAMES = Object.keys(SEEDS) as SeedName[];

const INTERESTING_16 = [0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xfffe, 0xffff];
const INTERESTING_32 = [0, 1, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

/** Where length fields sit: after each VR (short and long forms) and in item headers; mutations aim there often. */
function lengthOffsets(data: Buffer): number[] {
    const out: number[] = [];
    for (let i = 0; i + 8 <= data.length; i += 2) {
        const vr = data.subarray(i + 4, i + 6).toString("latin1");
        if (/^(OB|OW|SQ|UN|UT)$/.test(vr)) out.push(i + 8);
        else if (/^[A-Z]{2}$/.test(vr)) out.push(i + 6);
        if (data.readUInt16LE(i) === 0xfffe) out.push(i + 4);
    }
    return out;
}

/** One random mutation of `data` (which it does not change). */
export function mutation(data: Buffer, next: () => number): Mutation {
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
    const at = Math.floor(next() * Math.max(1, data.length));
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(next() * 256)));
    const choice = next();
    if (choice < 0.35) {
        const offsets = lengthOffsets(data);
        const where = offsets.length ? pick(offsets) : at;
        const wide = next() < 0.5;
        const value = Buffer.alloc(wide ? 4 : 2);
        if (wide) value.writeUInt32LE(pick(INTERESTING_32), 0);
        else value.writeUInt16LE(pick(INTERESTING_16), 0);
        return { op: "set", at: where, hex: value.toString("hex") };
    }
    if (choice < 0.6) return { op: "set", at, hex: bytes(1 + Math.floor(next() * 4)).toString("hex") };
    if (choice < 0.72) return { op: "cut", at, length: 1 + Math.floor(next() * 64) };
    if (choice < 0.84) {
        const from = Math.floor(next() * data.length);
        return { op: "insert", at, hex: data.subarray(from, from + 1 + Math.floor(next() * 96)).toString("hex") };
    }
    if (choice < 0.92) return { op: "insert", at, hex: nestedSequences(1 + Math.floor(next() * 300), next() < 0.5 ? "defined" : "undefined").bytes.toString("hex") };
    return { op: "truncate", at };
}

export function apply(data: Buffer, m: Mutation): Buffer {
    const at = Math.min(m.at, data.length);
    if (m.op === "set") {
        const out = Buffer.from(data);
        Buffer.from(m.hex, "hex").copy(out, at);
        return out;
    }
    if (m.op === "cut") return Buffer.concat([data.subarray(0, at), data.subarray(at + m.length)]);
    if (m.op === "insert") return Buffer.concat([data.subarray(0, at), Buffer.from(m.hex, "hex"), data.subarray(at)]);
    return data.subarray(0, at);
}

/** A new recipe: a seed, a route, and 1 to 4 mutations. */
export function newRecipe(next: () => number): Recipe {
    const seed = SEED_NAMES[Math.floor(next() * SEED_NAMES.length)];
    const route = ROUTES[Math.floor(next() * ROUTES.length)];
    const scope = route !== "dicom" && next() < 0.3 ? "file" : "dataset";
    let data = scope === "file" ? partTen(SEEDS[seed]()) : SEEDS[seed]();
    const mutations: Mutation[] = [];
    for (let n = 1 + Math.floor(next() * 4); n > 0; n--) {
        const m = mutation(data, next);
        mutations.push(m);
        data = apply(data, m);
    }
    return { seed, route, scope, mutations };
}

const SOP = "1.2.826.0.1.3680043.10.1455.77.3";
/** The seed's data set in a correct Part 10 file. */
function partTen(dataset: Buffer): Buffer {
    return Buffer.concat([Buffer.alloc(128), Buffer.from("DICM", "latin1"), metaFor(SOP), dataset]);
}

/** The case a recipe describes: the mutated data set in a correct file meta group, sent over the recipe's route. */
export function recipeCase(name: string, recipe: Recipe): HostileCase {
    const sop = SOP;
    const whole = recipe.scope === "file";
    const mutated = recipe.mutations.reduce(apply, whole ? partTen(SEEDS[recipe.seed]()) : SEEDS[recipe.seed]());
    const dataset = whole ? SEEDS[recipe.seed]() : mutated;
    const file = whole ? mutated : partTen(mutated);
    return {
        name,
        family: "fuzz",
        routes: [recipe.route],
        file,
        network: { transferSyntax: EXPLICIT_VR_LITTLE_ENDIAN, dataset, sopClass: CT_IMAGE_STORAGE, sopUid: sop },
        uids: { study: "1.2.826.0.1.3680043.10.1455.77.1", series: "1.2.826.0.1.3680043.10.1455.77.2", sop },
    };
}

function metaFor(sopUid: string): Buffer {
    const body = encode(fileMeta({ sopUid }));
    return Buffer.concat([rawElement(0x0002, 0x0000, "UL", Buffer.from(Uint32Array.of(body.length).buffer)).bytes, body]);
}
