import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { RecordedResource, RecordingMocks } from "./mocks";
import { REPO_ROOT } from "./stack-config";

export interface ProgramRun {
    resources: RecordedResource[];
    /** Stack outputs, secrets still wrapped. */
    outputs: Record<string, unknown>;
    error?: Error;
}

async function resolve(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const [plain, secret] = await Promise.all([
            new Promise((done) => (value as pulumi.Output<unknown>).apply((v) => done(v))),
            pulumi.isSecret(value as pulumi.Output<unknown>),
        ]);
        return secret ? { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: plain } : plain;
    }
    if (Array.isArray(value)) {
        return Promise.all(value.map(resolve));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolve(v)])));
    }
    return value;
}

/**
 * Runs a program (index.ts unless another is given) once under Pulumi mocks with the given config and records
 * every resource. The Pulumi runtime is global, so run one program per process (see cli.ts).
 */
export async function runProgram(stack: string, config: Record<string, string>, programFile = join(REPO_ROOT, "index.ts"), generation = 1): Promise<ProgramRun> {
    const mocks = new RecordingMocks(stack, "pacstack", generation);
    pulumi.runtime.setAllConfig(config);
    await pulumi.runtime.setMocks(mocks, "pacstack", stack, false);
    mocks.captureOptions((pulumi.runtime as unknown as { getMonitor(): never }).getMonitor());
    let program: Record<string, unknown>;
    try {
        program = require(programFile);
    } catch (error) {
        return { resources: mocks.resources, outputs: {}, error: error as Error };
    }
    const outputs = (await resolve({ ...program })) as Record<string, unknown>;
    const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
    if (waitForRPCs) {
        await waitForRPCs();
    }
    return { resources: mocks.resources, outputs };
}
