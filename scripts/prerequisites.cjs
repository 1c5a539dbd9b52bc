// What `npm run deploy -- <stack>` needs before it installs or builds anything: a stack file, Node.js >= 22 for the
// `pulumi` commands run outside npm, the Pulumi CLI, kubectl and a Kubernetes context that answers.
// Plain CommonJS without dependencies, so that it runs on an old Node.js before `npm ci` (and can say so).
"use strict";
const { spawnSync } = require("node:child_process");
const { existsSync, readFileSync } = require("node:fs");
const path = require("node:path");

const MIN_NODE_MAJOR = 22;

/** Runs a command and returns { status, stdout, stderr }; status is null when it could not be started. */
function runCommand(command, args, env) {
    const result = spawnSync(command, args, { env, encoding: "utf8", timeout: 20000 });
    return { status: result.error ? null : result.status, stdout: result.stdout || "", stderr: result.stderr || "" };
}

/** A `pacstack:<key>` value of a stack file (scalar values only; enough for the kube context and kubeconfig). */
function stackSetting(text, key) {
    const match = new RegExp(`^\\s*pacstack:${key}:\\s*(.*?)\\s*$`, "m").exec(text);
    return match ? match[1].replace(/^["']|["']$/g, "") : "";
}

/** PATH without this project's node_modules/.bin: the Node.js that `pulumi` commands typed in a shell get. */
function shellPath(env, root) {
    const own = path.join(root, "node_modules", ".bin");
    return (env.PATH || "").split(path.delimiter).filter((dir) => path.resolve(dir) !== own).join(path.delimiter);
}

/**
 * Every missing prerequisite as one line saying what is wrong and what to do; an empty list means all is there.
 * `run(command, args, env)` is injectable for tests.
 */
function checkPrerequisites({ stack, root, env = process.env, run = runCommand }) {
    const problems = [];
    const stackFile = path.join(root, `Pulumi.${stack}.yaml`);
    const hasStackFile = existsSync(stackFile);
    if (!hasStackFile) {
        problems.push(`no stack file Pulumi.${stack}.yaml in ${root}: copy Pulumi.dev.yaml (minikube) or Pulumi.prod.yaml (cloud) and edit it`);
    }
    const shellEnv = { ...env, PATH: shellPath(env, root) };
    const node = run("node", ["-p", "process.versions.node"], shellEnv);
    const nodeVersion = node.stdout.trim();
    if (node.status !== 0) {
        problems.push("Node.js not found on PATH: install Node.js 22 or newer (https://nodejs.org/)");
    } else if (Number(nodeVersion.split(".")[0]) < MIN_NODE_MAJOR) {
        problems.push(`Node.js ${nodeVersion} is too old: pulumi runs the program with the node on PATH, which must be ${MIN_NODE_MAJOR} or newer (https://nodejs.org/)`);
    }
    if (run("pulumi", ["version"], env).status !== 0) {
        problems.push("Pulumi CLI not found on PATH: install it (https://www.pulumi.com/docs/install/) and open a new shell");
    }
    if (run("kubectl", ["version", "--client"], env).status !== 0) {
        problems.push("kubectl not found on PATH: install it (https://kubernetes.io/docs/tasks/tools/), it checks that the cluster answers");
    } else if (hasStackFile) {
        const text = readFileSync(stackFile, "utf8");
        const context = stackSetting(text, "kubeContext");
        const kubeconfig = stackSetting(text, "kubeconfig");
        const args = [...(kubeconfig ? ["--kubeconfig", kubeconfig.replace(/^~(?=\/)/, env.HOME || "~")] : []), ...(context ? ["--context", context] : [])];
        const probe = run("kubectl", [...args, "get", "--raw", "/readyz", "--request-timeout=10s"], env);
        if (probe.status !== 0) {
            const which = context ? `context "${context}" (pacstack:kubeContext in Pulumi.${stack}.yaml)` : "the current kubeconfig context";
            const reason = (probe.stderr.trim().split("\n").pop() || "no answer").slice(0, 200);
            problems.push(`Kubernetes ${which} does not answer: start the cluster (minikube start) or fix the context; kubectl said: ${reason}`);
        }
    }
    return problems;
}

module.exports = { checkPrerequisites, stackSetting, shellPath, MIN_NODE_MAJOR };

if (require.main === module) {
    const stack = process.argv[2];
    const root = path.resolve(__dirname, "..");
    const problems = checkPrerequisites({ stack, root });
    for (const problem of problems) {
        console.error(`✗ ${problem}`);
    }
    if (problems.length > 0) {
        console.error("Nothing was installed or deployed.");
        process.exit(1);
    }
    console.log(`✓ prerequisites for stack ${stack}: Node.js, Pulumi CLI, kubectl and a Kubernetes context that answers`);
}
