import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { OrthancTierId } from "../real/orthanc-tiers";
import { HostileCase } from "./corpus";
import { Recipe, recipeCase } from "./mutate";
import { Outcome } from "./target";

/** Where `npm run fuzz` writes the cases it found and the corpus test reads them (JSON recipes, never bytes). */
export const FOUND_DIR = resolve(__dirname, "../../orthanc/hostile-found");

export interface FoundCase {
    name: string;
    foundOn: { tier: OrthancTierId; version: string };
    /** The outcome per tier: the finding's own, and the other tier's once replayed there. */
    outcome: Partial<Record<OrthancTierId, Outcome>>;
    answer: string;
    failedReads: string[];
    recipe: Recipe;
    /** Set by `npm run fuzz -- --verify` once two replays on the finding's tier agreed; only these are replayed by the corpus test. */
    verified?: boolean;
}

export function loadFoundCases(dir = FOUND_DIR): Array<FoundCase & { hostile: HostileCase; file: string }> {
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((file) => {
            const found = JSON.parse(readFileSync(join(dir, file), "utf8")) as FoundCase;
            return { ...found, file, hostile: recipeCase(found.name, found.recipe) };
        });
}
