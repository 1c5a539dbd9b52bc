import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../harness/stack-config";

describe("package: CI runs README's test command", () => {
    it(".ci/run ends with the command README's 'Run the tests' section gives", () => {
        const commands = readFileSync(join(REPO_ROOT, ".ci", "run"), "utf8")
            .split("\n")
            .map((line) => line.trim())
            .filter((line) => line && !line.startsWith("#"));
        const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
        const section = readme.slice(readme.indexOf("## Run the tests"), readme.indexOf("\n## ", readme.indexOf("## Run the tests") + 3));
        const blocks = [...section.matchAll(/```sh\n([^`]*)```/g)].map((m) => m[1].trim());
        assert.equal(commands.at(-1), "npm test");
        assert.ok(blocks.includes("npm test"), "README must show `npm test` as the test command");
        assert.ok(blocks.includes("bash .ci/run"));
    });
});
