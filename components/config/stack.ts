import * as pulumi from "@pulumi/pulumi";
import { editDistance } from "./suggest";
import { PlatformConfig, PlatformConfigError, validatePlatformConfig } from "./validate";

const NAMESPACE = "pacstack";

/**
 * Splits a stack's whole configuration (`namespace:key` → value) into pacstack's settings (keys without the
 * namespace) and problems: a key under a namespace one or two letters away from `pacstack` (`pacstak:domain`)
 * would otherwise be ignored without a word.
 */
export function pacstackSettings(all: Record<string, unknown>): { raw: Record<string, unknown>; problems: string[] } {
    const raw: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [fullKey, value] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
        const at = fullKey.indexOf(":");
        const namespace = fullKey.slice(0, at);
        const key = fullKey.slice(at + 1);
        if (namespace === NAMESPACE) {
            raw[key] = value;
        } else if (editDistance(namespace, NAMESPACE) <= 2) {
            problems.push(
                `${fullKey} = ${JSON.stringify(value)}: "${namespace}" is not pacstack's namespace, so this setting would be ignored; did you mean ${NAMESPACE}:${key}?`,
            );
        }
    }
    return { raw, problems };
}

/** Reads every `pacstack:*` value of the current stack and validates it; throws one error naming every problem. */
export function readStackConfig(): PlatformConfig {
    const { raw, problems } = pacstackSettings(pulumi.runtime.allConfig());
    let config: PlatformConfig;
    try {
        config = validatePlatformConfig(raw);
    } catch (error) {
        throw error instanceof PlatformConfigError ? new PlatformConfigError([...problems, ...error.problems]) : error;
    }
    if (problems.length > 0) {
        throw new PlatformConfigError(problems);
    }
    return config;
}
