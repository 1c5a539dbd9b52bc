import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig, validatePlatformConfig } from "./validate";

const NAMESPACE = "pacstack:";

/** Reads every `pacstack:*` value of the current stack and validates it. */
export function readStackConfig(): PlatformConfig {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (key.startsWith(NAMESPACE)) {
            raw[key.slice(NAMESPACE.length)] = value;
        }
    }
    return validatePlatformConfig(raw);
}
