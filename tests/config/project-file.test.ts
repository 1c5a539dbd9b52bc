import assert from "node:assert/strict";
import { SETTINGS } from "../../components/config/schema";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readmeConfigBlock, renderConfigTable } from "../harness/config-table";
import { REPO_ROOT, readProjectFile } from "../harness/stack-config";

describe("config: Pulumi.yaml documents every setting", () => {
    const project = readProjectFile();

    it("declares exactly the settings the validator knows", () => {
        assert.deepEqual(Object.keys(project.config).sort(), Object.keys(SETTINGS).sort());
    });

    it("gives each setting the validator's type, default and description", () => {
        for (const [key, spec] of Object.entries(SETTINGS)) {
            const declared = project.config[key];
            assert.equal(declared.description, spec.description, key);
            assert.deepEqual(declared.default, "default" in spec ? spec.default : undefined, key);
            if ("objectItems" in spec) {
                // Pulumi checks only declared types, and its project file has no type for a list of objects.
                assert.equal(declared.type, undefined, `${key}: a list whose entries may be objects is declared without a type`);
                continue;
            }
            assert.equal(declared.type, spec.type, key);
            if (spec.type === "array") {
                assert.deepEqual(declared.items, { type: spec.items ?? "string" }, key);
            }
        }
    });

    it("leaves only platform and domain required, so every stack must choose them", () => {
        const required = Object.entries(project.config)
            .filter(([, spec]) => spec.default === undefined)
            .map(([key]) => key);
        assert.deepEqual(required.sort(), ["domain", "platform"]);
    });
});

describe("config: README documents every setting", () => {
    it("has the configuration table generated from the settings", () => {
        const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
        assert.equal(readmeConfigBlock(readme), renderConfigTable(), "run: npx ts-node --transpile-only tests/harness/config-table.ts");
    });
});
