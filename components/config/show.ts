import * as pulumi from "@pulumi/pulumi";

/**
 * A setting's value as error messages show it: JSON, with every `password` field and every other resource's output
 * replaced, so that no secret given in a stack file reaches a terminal or a CI log.
 */
export function showSetting(value: unknown): string {
    return JSON.stringify(value, (key, v) => (key === "password" && v !== undefined ? "[secret]" : pulumi.Output.isInstance(v) ? "[output]" : v));
}
