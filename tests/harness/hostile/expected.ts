import { OrthancTierId } from "../real/orthanc-tiers";
import { Route } from "./corpus";
import { Outcome } from "./target";

/**
 * What each tier's Orthanc does with each corpus case on each route ("<case>@<route>"), as observed and asserted by
 * tests/orthanc/hostile.real.test.ts (HOSTILE_RECORD=1 prints what a run observed). Every case not listed is
 * "not-stored": refused with an error (or, over DICOM, the association ended without storing), nothing indexed, the
 * server up. "stored" means every read of the instance answered; see README, "Hostile input", for what the others mean.
 */
/** Stored, and every read of them answers, on both tiers. */
const STORED_ON_BOTH = [
    "lying-length/meta-group-minus-100@rest", "lying-length/meta-group-minus-100@stow",
    "lying-length/meta-group-minus-9@rest", "lying-length/meta-group-minus-7@rest",
    "lying-length/meta-group-minus-4@rest", "lying-length/meta-group-minus-2@rest",
    "lying-length/meta-group-minus-1@rest", "lying-length/meta-group-plus-1@rest",
    "lying-length/meta-group-plus-2@rest", "lying-length/meta-group-plus-3@rest",
    "lying-length/meta-group-plus-4@rest", "lying-length/meta-group-plus-7@rest",
    "lying-length/meta-group-plus-9@rest", "lying-length/meta-group-plus-14@rest",
    "lying-length/meta-group-plus-40@rest", "lying-length/meta-group-zero@rest", "lying-length/meta-group-zero@stow",
    "lying-length/ui-odd@rest",
    "lying-length/ui-odd@stow", "lying-length/ui-odd@dicom", "lying-length/item-shorter-than-content@rest",
    "lying-length/item-shorter-than-content@stow", "lying-length/item-shorter-than-content@dicom",
    "lying-length/sequence-shorter-than-item@rest", "lying-length/sequence-shorter-than-item@stow",
    "lying-length/sequence-shorter-than-item@dicom", "nesting/depth-16-defined@rest", "nesting/depth-16-defined@stow",
    "nesting/depth-16-defined@dicom", "nesting/depth-32-undefined@rest", "nesting/depth-32-undefined@stow",
    "nesting/depth-32-undefined@dicom", "transfer-syntax/unknown@rest", "transfer-syntax/unknown@stow",
    "transfer-syntax/empty@rest", "transfer-syntax/empty@stow", "uid/duplicate-sop-of-earlier@rest",
    "uid/duplicate-sop-of-earlier@stow", "uid/duplicate-sop-of-earlier@dicom", "uid/duplicate-all-of-earlier@rest",
    "uid/duplicate-all-of-earlier@stow", "uid/duplicate-all-of-earlier@dicom", "uid/duplicate-study-of-earlier@rest",
    "uid/duplicate-study-of-earlier@stow", "uid/duplicate-study-of-earlier@dicom", "uid/too-long@rest",
    "uid/too-long@stow", "uid/not-numeric@rest", "uid/not-numeric@stow", "uid/not-numeric@dicom",
    "charset/unknown-term@rest", "charset/unknown-term@stow", "charset/unknown-term@dicom",
    "charset/invalid-utf8@rest", "charset/invalid-utf8@stow", "charset/invalid-utf8@dicom",
    "charset/iso2022-bad-escape@rest", "charset/iso2022-bad-escape@stow", "charset/iso2022-bad-escape@dicom",
    "charset/many-values@rest", "charset/many-values@stow", "charset/many-values@dicom", "charset/control-bytes@rest",
    "charset/control-bytes@stow", "charset/control-bytes@dicom",
];

export const HOSTILE_EXPECTATIONS: Record<OrthancTierId, Partial<Record<Exclude<Outcome, "not-stored">, string[]>>> = {
    debian12: {
        stored: [
            ...STORED_ON_BOTH,
        ],
        "crash-on-upload": [
            "nesting/depth-48-defined@rest", "nesting/depth-48-defined@stow",
            "nesting/depth-48-undefined@rest", "nesting/depth-48-undefined@stow", "nesting/depth-1024-undefined@rest",
            "nesting/depth-1024-undefined@stow", "nesting/depth-8192-defined@rest", "nesting/depth-8192-defined@stow",
        ],
        "crash-on-read": [
            "nesting/depth-48-defined@dicom", "nesting/depth-48-undefined@dicom", "nesting/depth-1024-undefined@dicom",
        ],
        "waits": [
            "nesting/depth-8192-defined@dicom",
        ],
    },
    sid: {
        stored: [
            ...STORED_ON_BOTH,
            "nesting/depth-48-defined@rest", "nesting/depth-48-defined@dicom", "nesting/depth-48-undefined@rest",
            "nesting/depth-48-undefined@dicom",
        ],
        "crash-on-upload": [
            "nesting/depth-48-defined@stow", "nesting/depth-48-undefined@stow", "nesting/depth-1024-undefined@rest",
            "nesting/depth-1024-undefined@stow", "nesting/depth-8192-defined@rest", "nesting/depth-8192-defined@stow",
        ],
    },
};

/**
 * A second outcome a case may have on a tier, with the reason. 1.10.1 parses an 8,192-deep C-STORE for longer than
 * the sender waits on a loaded machine ("waits"); on a quieter one it answers, has stored the instance, and every
 * read of it kills the process, as at 1,024 levels. Both are known issues 2 and 4 of README's list.
 */
export const LOAD_DEPENDENT_OUTCOMES: Record<OrthancTierId, Record<string, Outcome>> = {
    debian12: { "nesting/depth-8192-defined@dicom": "crash-on-read" },
    sid: {},
};

/** Whether an observed outcome is the table's, or the case's recorded load-dependent alternative. */
export function outcomeAllowed(tier: OrthancTierId, name: string, route: Route, outcome: Outcome): boolean {
    return outcome === expectedOutcome(tier, name, route) || LOAD_DEPENDENT_OUTCOMES[tier][`${name}@${route}`] === outcome;
}

export function expectedOutcome(tier: OrthancTierId, name: string, route: Route): Outcome {
    const key = `${name}@${route}`;
    for (const [outcome, keys] of Object.entries(HOSTILE_EXPECTATIONS[tier])) if (keys?.includes(key)) return outcome as Outcome;
    return "not-stored";
}
