import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import * as ts from "typescript";
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
pulumi.all([platform.urn, platform.webUrl]).apply(async ([, webUrl]) => {
    await pulumi.runtime.waitForRPCs();
    console.log(JSON.stringify({ webUrl, resolved: require.resolve("pacstack"), types: [...new Set(types)].sort() }));
});
`;

/** Runs a program under Pulumi mocks, recording each resource's type, name and provider, and prints them last. */
const MOCKED = `
const mocked = require("@pulumi/pulumi");
const registered = [];
mocked.runtime.setMocks({
    newResource: (args) => { registered.push({ type: args.type, name: args.name, provider: args.provider ? args.provider.split("::").at(-2) : "" }); return { id: args.name + "-id", state: args.inputs }; },
    call: (args) => args.inputs,
}, "consumer", "test", false);
`;
const REPORT = `
mocked.all([platform.urn, platform.viewerUrl, platform.dicomEndpoints]).apply(async ([, viewerUrl, dicomEndpoints]) => {
    await mocked.runtime.waitForRPCs();
    console.log(JSON.stringify({ viewerUrl, dicomEndpoints, registered }));
});
`;

/** The example program of the package's README (the first ```ts block). */
function readmeExample(packageDir: string): string {
    const readme = readFileSync(join(packageDir, "README.md"), "utf8");
    const example = /```ts\n([\s\S]*?)```/.exec(readme);
    assert.ok(example, "the package README has no TypeScript example");
    return example[1];
}

describe("package: `npm pack` gives a package another Pulumi program can import", function () {
    this.timeout(120000);
    let tarball: string;
    let work: string;

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-pack-"));
        await run("npm", ["pack", "-w", "pacstack", "--pack-destination", work], { cwd: REPO_ROOT });
        tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz"))!);
    });

    it("runs on Node >= 22, as @pulumi/pulumi requires", () => {
        assert.ok(Number(process.versions.node.split(".")[0]) >= 22, `npm test runs on Node ${process.versions.node}`);
    });

    it("ships the compiled JavaScript and type declarations, not sources or tests", async () => {
        const { stdout } = await run("tar", ["-tzf", tarball]);
        const files = stdout.trim().split("\n");
        assert.ok(files.includes("package/dist/index.js"));
        assert.ok(files.includes("package/dist/index.d.ts"));
        assert.ok(files.includes("package/package.json"));
        assert.ok(files.includes("package/README.md"));
        assert.ok(files.includes("package/LICENSE"));
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

    it("runs the README's example program from the tarball: every object through the provider the program gives", async () => {
        const consumer = join(work, "readme-example");
        const modules = join(consumer, "node_modules");
        mkdirSync(join(modules, "pacstack"), { recursive: true });
        await run("tar", ["-xzf", tarball, "-C", join(modules, "pacstack"), "--strip-components=1"]);
        symlinkSync(join(REPO_ROOT, "node_modules", "@pulumi"), join(modules, "@pulumi"));
        const program = ts.transpileModule(readmeExample(join(modules, "pacstack")), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
        writeFileSync(join(consumer, "index.js"), MOCKED + program + REPORT);
        const { stdout } = await run(process.execPath, ["index.js"], { cwd: consumer });
        const result = JSON.parse(stdout.trim().split("\n").pop()!) as { viewerUrl: string; dicomEndpoints: Record<string, { port: number }>; registered: { type: string; name: string; provider: string }[] };
        assert.equal(result.viewerUrl, "https://pacs.hospital.example/");
        assert.deepEqual(Object.keys(result.dicomEndpoints).sort(), ["dcm4chee", "orthanc"]);
        const providers = result.registered.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => r.name);
        assert.deepEqual(providers, ["cluster"], "pacstack built a provider of its own");
        const objects = result.registered.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(objects.length > 50, `${objects.length} Kubernetes objects`);
        assert.deepEqual([...new Set(objects.map((r) => r.provider))], ["cluster"]);
        assert.ok(result.registered.some((r) => r.type === "pacstack:index:Dcm4chee"));
    });

    it("refuses invalid settings with one error before registering anything, as a program passes them", async () => {
        const consumer = join(work, "readme-example");
        writeFileSync(
            join(consumer, "invalid.js"),
            MOCKED +
                `const { Platform } = require("pacstack");
try { new Platform("imaging", { platform: "cloud", domain: "pacs", orthanc: { replicas: 0 } }); } catch (error) { console.log(JSON.stringify({ name: error.name, problems: error.problems, registered })); }`,
        );
        const { stdout } = await run(process.execPath, ["invalid.js"], { cwd: consumer });
        const result = JSON.parse(stdout.trim().split("\n").pop()!);
        assert.equal(result.name, "PlatformConfigError");
        assert.equal(result.problems.length, 2, result.problems.join("\n"));
        assert.match(result.problems.join("\n"), /pacstack:domain = "pacs": .*\n.*pacstack:orthanc\.replicas = 0: must be an integer from 1 to 10/);
        assert.deepEqual(result.registered, []);
    });

    it("takes the provider as an argument, and another resource's output for the domain, the storage class and the web TLS Secret", async () => {
        const consumer = join(work, "readme-example");
        writeFileSync(
            join(consumer, "outputs.js"),
            MOCKED.replace("registered.push({ type: args.type, name: args.name,", "registered.push({ type: args.type, name: args.name, inputs: args.inputs,") +
                `const k8s = require("@pulumi/kubernetes");
const { Platform } = require("pacstack");
const provider = new k8s.Provider("cluster", {});
const fast = new k8s.storage.v1.StorageClass("fast", { metadata: { name: "fast-ssd" }, provisioner: "ebs.csi.aws.com" }, { provider });
const tls = new k8s.core.v1.Secret("hospital-tls", { metadata: { name: "hospital-wildcard-tls", namespace: "pacstack" }, type: "kubernetes.io/tls" }, { provider });
const dns = new k8s.core.v1.ConfigMap("dns", { metadata: { name: "dns" }, data: { host: "pacs.hospital.example" } }, { provider });
const platform = new Platform("imaging", { platform: "cloud", domain: dns.data.host, storageClass: fast.metadata.name, webTlsSecret: tls.metadata.name, provider });
mocked.all([platform.urn]).apply(async () => { await mocked.runtime.waitForRPCs(); console.log(JSON.stringify(registered)); });`,
        );
        const { stdout } = await run(process.execPath, ["outputs.js"], { cwd: consumer });
        const registered = JSON.parse(stdout.trim().split("\n").pop()!) as { type: string; name: string; inputs: any }[];
        const find = (type: string, name: string) => registered.find((r) => r.type === type && r.name === name)!.inputs;
        assert.equal(find("kubernetes:traefik.io/v1alpha1:IngressRoute", "imaging-routes-web-ingressroute").spec.tls.secretName, "hospital-wildcard-tls");
        assert.ok(!registered.some((r) => r.type === "tls:index/certRequest:CertRequest" && r.name === "imaging-web"), "a web certificate was issued anyway");
        assert.equal(find("kubernetes:core/v1:PersistentVolumeClaim", "imaging-orthanc-storage").spec.storageClassName, "fast-ssd");
        assert.equal(find("kubernetes:helm.sh/v3:Release", "imaging-postgresql").values.primary.persistence.storageClass, "fast-ssd");
        assert.deepEqual(registered.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => r.name), ["cluster"]);
        const route = find("kubernetes:traefik.io/v1alpha1:IngressRoute", "imaging-routes-web-ingressroute");
        assert.ok(route.spec.routes.every((r: { match: string }) => r.match.startsWith("Host(`pacs.hospital.example`)")));
        assert.deepEqual(find("tls:index/certRequest:CertRequest", "imaging-dicom").dnsNames, ["pacs.hospital.example"]);
        assert.equal(JSON.parse(find("kubernetes:core/v1:ConfigMap", "imaging-orthanc-config").data["orthanc.json"]).DicomWeb.Host, "pacs.hospital.example");
        const objects = registered.filter((r) => r.type.startsWith("kubernetes:"));
        assert.deepEqual([...new Set(objects.map((r) => (r as unknown as { provider: string }).provider))], ["cluster"]);
    });

    it("checks a domain given as another resource's output once it is known, with validation's message", async () => {
        const consumer = join(work, "readme-example");
        writeFileSync(
            join(consumer, "bad-domain.js"),
            MOCKED +
                `const k8s = require("@pulumi/kubernetes");
const { Platform } = require("pacstack");
const provider = new k8s.Provider("cluster", {});
const dns = new k8s.core.v1.ConfigMap("dns", { metadata: { name: "dns" }, data: { host: "PACS_host" } }, { provider });
const platform = new Platform("imaging", { platform: "cloud", domain: dns.data.host, provider });
process.on("unhandledRejection", (error) => { console.log(JSON.stringify({ name: error.name, problems: error.problems })); process.exit(0); });
process.on("uncaughtException", (error) => { console.log(JSON.stringify({ name: error.name, problems: error.problems })); process.exit(0); });`,
        );
        const { stdout } = await run(process.execPath, ["bad-domain.js"], { cwd: consumer });
        const result = JSON.parse(stdout.trim().split("\n").pop()!);
        assert.equal(result.name, "PlatformConfigError");
        assert.deepEqual(result.problems, ['pacstack:domain = "PACS_host": must be a lowercase DNS name with at least two labels, e.g. pacs.example.org']);
    });
});
