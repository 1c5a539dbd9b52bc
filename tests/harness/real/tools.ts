import { spawn } from "node:child_process";

export interface ToolResult {
    /** Exit code; -1 when the tool was killed (signal or timeout). */
    code: number;
    stdout: string;
    stderr: string;
    /** stdout and stderr together, for assertion messages. */
    output: string;
}

export interface ToolOptions {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    input?: string;
    timeoutMs?: number;
}

/** Runs a short-lived command to completion (never throws on a non-zero exit; callers assert on `code`). */
export function runTool(command: string, args: string[], options: ToolOptions = {}): Promise<ToolResult> {
    return new Promise((done, fail) => {
        const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: "pipe" });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        const all: Buffer[] = [];
        child.stdout.on("data", (b: Buffer) => (out.push(b), all.push(b)));
        child.stderr.on("data", (b: Buffer) => (err.push(b), all.push(b)));
        const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000);
        child.once("error", (e) => {
            clearTimeout(timer);
            fail(new Error(`${command}: ${e.message}`));
        });
        child.once("close", (code) => {
            clearTimeout(timer);
            const text = (parts: Buffer[]) => Buffer.concat(parts).toString("utf8");
            done({ code: code ?? -1, stdout: text(out), stderr: text(err), output: text(all) });
        });
        // A tool that exits without reading its input closes the pipe first: that EPIPE is not a failure of the tool.
        child.stdin.on("error", () => undefined);
        child.stdin.end(options.input ?? "");
    });
}

/** runTool that throws (with the output) unless the command exits 0. */
export async function runOk(command: string, args: string[], options: ToolOptions = {}): Promise<ToolResult> {
    const result = await runTool(command, args, options);
    if (result.code !== 0) {
        throw new Error(`\`${command} ${args.join(" ")}\` exited ${result.code}:\n${result.output}`);
    }
    return result;
}
