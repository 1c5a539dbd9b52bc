/**
 * The URN fixture of tests/platform/urns.test.ts: every variant's URNs, from the plan of the program as it is.
 * `npx ts-node --transpile-only tests/harness/urn-fixture.ts` rewrites tests/platform/urns.json; run it only from
 * a commit whose URNs are meant to be kept (a changed URN makes `pulumi up` replace that resource).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { planStack } from "./plan-runner";
import { REPO_ROOT } from "./stack-config";
import { VARIANTS } from "./variants";

export const URN_FIXTURE = join(REPO_ROOT, "tests", "platform", "urns.json");

async function main() {
    const fixture: Record<string, string[]> = {};
    for (const variant of VARIANTS) {
        const plan = await planStack(variant.stack, variant.overrides);
        if (plan.code !== 0) {
            throw new Error(`${variant.label}: ${plan.stderr}`);
        }
        fixture[variant.label] = plan.urns;
    }
    writeFileSync(URN_FIXTURE, JSON.stringify(fixture, null, 2) + "\n");
    console.log(`${Object.keys(fixture).length} variants written to ${URN_FIXTURE}`);
}

if (require.main === module) {
    main().catch((error) => {
        console.error(error);
        process.exit(1);
    });
}
