import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../harness/stack-config";

const run = promisify(execFile);

/** A separate program, outside this repository, that installs the packed tarball and builds a Platform. */
const CONSUMER = `
const pulumi = require("@pulumi/pulumi");
const types = [];
pulumi.runtime.setMocks({
    newResource: (args) => { types.push(args.type); return { id: args.name + "-id", state: args.inputs }; },
    call: (args) => args.inputs,
}, "consumer", "test", false);
const pacstack = require("pacstack");
const config = pacstack.validatePlatformConfig({ platform: "microk8s", domain: "pacs.hospital.example" });
const platform = new pacstack.Platform("imaging", { config });
platform.urn.apply(async () => {
    await pulumi.runtime.waitForRPCs();
    console.log(JSON.stringify({ webUrl: platform.webUrl, resolved: require.resolve("pacstack"), types: [...new Set(types)].sort() }));
});
`;

describe("package: `npm pack` gives a package another Pulumi program can import", function () {
    this.timeout(120000);
    let tarball: string;
    let work: string;

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-pack-"));
        await run("npm", ["pack", "-w", "pacstack", "--pack-destination", work], { cwd: REPO_ROOT });
        tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
    });

    it("runs on Node >= 22, as @pulumi/pulumi and kubernetes-models require", () => {
        assert.ok(Number(process.versions.node.split(".")[0]) >= 22, `npm test runs on Node ${process.versions.node}`);
    });

    it("ships the compiled JavaScript and type declarations, not sources or tests", async () => {
        const { stdout } = await run("tar", ["-tzf", tarball]);
        const files = stdout.trim().split("\n");
        assert.ok(files.includes("package/dist/index.js"));
        assert.ok(files.includes("package/dist/index.d.ts"));
        assert.ok(files.includes("package/package.json"));
        assert.deepEqual(files.filter((f) => /\.ts$/.test(f) && !f.endsWith(".d.ts")), []);
        assert.deepEqual(files.filter((f) => /test/.test(f)), []);
    });

    it("builds a Platform in a consumer program from the installed tarball", async () => {
        const consumer = join(work, "consumer");
        const modules = join(consumer, "node_modules");
        mkdirSync(join(modules, "pacstack"), { recursive: true });
        await run("tar", ["-xzf", tarball, "-C", join(modules, "pacstack"), "--strip-components=1"]);
        // The package's own dependencies, as npm would install them next to it.
        symlinkSync(join(REPO_ROOT, "node_modules", "@pulumi"), join(modules, "@pulumi"));
        writeFileSync(join(consumer, "index.js"), CONSUMER);
        const { stdout } = await run(process.execPath, ["index.js"], { cwd: consumer });
        const result = JSON.parse(stdout.trim().split("\n").pop()!);
        assert.equal(result.resolved, join(modules, "pacstack", "dist", "index.js"));
        assert.equal(result.webUrl, "https://pacs.hospital.example:30443/");
        for (const token of ["Platform", "Orthanc", "Postgres", "Traefik", "Certificates", "Routes"]) {
            assert.ok(result.types.includes(`pacstack:index:${token}`), `${token} missing: ${result.types}`);
        }
    });
});
