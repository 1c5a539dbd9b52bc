import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { parse } from "yaml";
import { REPO_ROOT } from "../harness/stack-config";

// Plain CommonJS so that it runs before `npm ci`, on whatever Node.js the user has.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkPrerequisites } = require("../../scripts/prerequisites.cjs") as {
    checkPrerequisites(input: { stack: string; root: string; env?: Record<string, string>; run: Runner }): string[];
};
type Runner = (command: string, args: string[], env: Record<string, string>) => { status: number | null; stdout: string; stderr: string };

/** A machine where every tool answers; `broken` makes one command fail as it would when missing or unreachable. */
function machine(broken: Partial<Record<"node" | "pulumi" | "kubectl" | "readyz", "missing" | string>> = {}): { run: Runner; calls: string[][] } {
    const calls: string[][] = [];
    const run: Runner = (command, args) => {
        calls.push([command, ...args]);
        const key = args.includes("/readyz") ? "readyz" : (command as "node" | "pulumi" | "kubectl");
        const fault = broken[key];
        if (fault === "missing") {
            return { status: null, stdout: "", stderr: "" };
        }
        if (key === "node") {
            return { status: 0, stdout: `${fault ?? "24.1.0"}\n`, stderr: "" };
        }
        return fault ? { status: 1, stdout: "", stderr: fault } : { status: 0, stdout: "ok", stderr: "" };
    };
    return { run, calls };
}

describe("scripts: `npm run deploy` checks its prerequisites first", () => {
    const env = { PATH: `${join(REPO_ROOT, "node_modules", ".bin")}:/usr/bin`, HOME: "/home/user" };

    it("finds nothing missing on a ready machine, and asks the stack's context whether it answers", () => {
        const { run, calls } = machine();
        assert.deepEqual(checkPrerequisites({ stack: "dev", root: REPO_ROOT, env, run }), []);
        assert.deepEqual(calls.at(-1), ["kubectl", "--context", "minikube", "get", "--raw", "/readyz", "--request-timeout=10s"]);
    });

    it("checks the Node.js of a plain shell, not this project's node_modules/.bin", () => {
        const seen: string[] = [];
        const { run } = machine();
        checkPrerequisites({ stack: "dev", root: REPO_ROOT, env, run: (command, args, childEnv) => (command === "node" && seen.push(childEnv.PATH), run(command, args, childEnv)) });
        assert.deepEqual(seen, ["/usr/bin"]);
    });

    const cases: [string, Parameters<typeof machine>[0], string, RegExp][] = [
        ["an old Node.js", { node: "20.20.2" }, "dev", /^Node\.js 20\.20\.2 is too old: .*22 or newer/],
        ["no Node.js", { node: "missing" }, "dev", /^Node\.js not found on PATH/],
        ["no Pulumi CLI", { pulumi: "missing" }, "dev", /^Pulumi CLI not found on PATH: install it \(https:\/\/www\.pulumi\.com\/docs\/install\/\)/],
        ["no kubectl", { kubectl: "missing" }, "dev", /^kubectl not found on PATH/],
        ["a cluster that does not answer", { readyz: "dial tcp 192.168.49.2:8443: connect: no route to host" }, "dev", /^Kubernetes context "minikube" \(pacstack:kubeContext in Pulumi\.dev\.yaml\) does not answer: .*kubectl said: dial tcp/],
        ["the current context not answering (prod names none)", { readyz: "connection refused" }, "prod", /^Kubernetes the current kubeconfig context does not answer/],
        ["no stack file", {}, "staging", /^no stack file Pulumi\.staging\.yaml in .*: copy Pulumi\.dev\.yaml/],
    ];
    for (const [label, broken, stack, line] of cases) {
        it(`stops with one line for ${label}`, () => {
            const problems = checkPrerequisites({ stack, root: REPO_ROOT, env, run: machine(broken).run });
            assert.equal(problems.length, 1, problems.join("\n"));
            assert.match(problems[0], line);
        });
    }

    it("reports every missing prerequisite at once", () => {
        const problems = checkPrerequisites({ stack: "dev", root: REPO_ROOT, env, run: machine({ node: "18.0.0", pulumi: "missing", kubectl: "missing" }).run });
        assert.equal(problems.length, 3, problems.join("\n"));
    });

    it("runs the checks before `npm ci`: on this machine (no Pulumi CLI) nothing is installed", async function () {
        this.timeout(60000);
        const lock = join(REPO_ROOT, "node_modules", ".package-lock.json");
        const before = statSync(lock).mtimeMs;
        const failure = await promisify(execFile)("sh", [join(REPO_ROOT, "scripts", "deploy.sh"), "dev"], { cwd: REPO_ROOT, env: { ...process.env, PATH: "/usr/bin:/bin" } }).then(
            () => assert.fail("deploy went on without the Pulumi CLI"),
            (error: { code: number; stdout: string; stderr: string }) => error,
        );
        assert.equal(failure.code, 1);
        assert.match(failure.stderr, /^✗ Pulumi CLI not found on PATH/m);
        assert.match(failure.stderr, /^Nothing was installed or deployed\.$/m);
        assert.equal(failure.stdout, "", "npm ci or a build ran");
        assert.equal(statSync(lock).mtimeMs, before, "node_modules changed");
    });

    it("shows the usage and the stacks when no stack is given", async () => {
        const failure = await promisify(execFile)("sh", [join(REPO_ROOT, "scripts", "deploy.sh")], { cwd: REPO_ROOT }).catch((error) => error);
        assert.equal(failure.code, 2);
        assert.match(failure.stderr, /^usage: npm run deploy -- <stack> +\(stacks: dev prod \)$/m);
    });
});

describe("scripts: ordinary `pulumi` commands use the deploy's backend", () => {
    it("names the backend in Pulumi.yaml, the folder deploy.sh creates when PULUMI_BACKEND_URL is unset", () => {
        const project = parse(readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8"));
        assert.equal(project.backend.url, "file://~/.pulumi-pacstack");
        const script = readFileSync(join(REPO_ROOT, "scripts", "deploy.sh"), "utf8");
        assert.ok(script.includes(`backend="\${PULUMI_BACKEND_URL:-${project.backend.url}}"`));
        assert.doesNotMatch(script, /export PULUMI_BACKEND_URL/, "a backend set only inside the script is lost for `pulumi destroy`");
        assert.equal(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts.deploy, "sh scripts/deploy.sh");
    });
});
