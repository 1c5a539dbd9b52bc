import * as pulumi from "@pulumi/pulumi";

const SECRET_FIELDS = ["password", "accessKeyId", "secretAccessKey"];

/**
 * A setting's value as error messages show it: JSON, with every `password` field (and the backup bucket's keys) and every other resource's output
 * replaced, so that no secret given in a stack file reaches a terminal or a CI log.
 */
export function showSetting(value: unknown): string {
    return JSON.stringify(value, (key, v) => (SECRET_FIELDS.includes(key) && v !== undefined ? "[secret]" : pulumi.Output.isInstance(v) ? "[output]" : v));
}
