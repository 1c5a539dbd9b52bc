import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import * as pulumi from "@pulumi/pulumi";

/**
 * Reads the Secrets a previous deployment left in the cluster (credential Secrets are kept on `pulumi destroy`
 * like the volumes whose databases know those credentials). Read before anything is registered, the way Helm's
 * `lookup` reads them: a kept value wins over a newly generated one, so a redeployment onto kept data keeps the
 * passwords the kept databases and directories were initialised with.
 */
export interface KeptSecrets {
    /** The Secret's values (decoded), or undefined when it does not exist. Throws when the cluster cannot say. */
    read(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** The value to use for one key of a kept credential Secret: the kept one when there is one, else `generated`. */
export function keptOrGenerated(
    kept: KeptSecrets | undefined,
    secret: { namespace: string; name: string; key: string },
    generated: pulumi.Input<string>,
): pulumi.Output<string> {
    if (!kept) return pulumi.secret(pulumi.output(generated));
    const found = pulumi.output(kept.read(secret.namespace, secret.name));
    return pulumi.secret(pulumi.all([found, generated]).apply(([values, fresh]) => (values?.[secret.key] ? values[secret.key] : fresh)));
}

/** One read per Secret and deployment, however many keys are looked up. */
function memoized(read: KeptSecrets["read"]): KeptSecrets {
    const cache = new Map<string, Promise<Record<string, string> | undefined>>();
    return {
        read(namespace, name) {
            const key = `${namespace}/${name}`;
            if (!cache.has(key)) cache.set(key, read(namespace, name));
            return cache.get(key)!;
        },
    };
}

/**
 * Reads kept Secrets with kubectl (a deploy prerequisite) from the cluster the stack deploys to. A Secret that does
 * not exist is no error (the first deployment); any other failure (unreachable cluster, no permission) stops the
 * deployment, because carrying on would replace the credentials the kept databases know.
 */
export function kubectlKeptSecrets(cluster: { context?: string; kubeconfig?: string }, kubectl = "kubectl"): KeptSecrets {
    return memoized(
        (namespace, name) =>
            new Promise((resolve, reject) => {
                const args = ["get", "secret", name, "--namespace", namespace, "--ignore-not-found", "--output", "json"];
                if (cluster.context) args.push("--context", cluster.context);
                // As the Kubernetes provider reads it: a leading ~ is the home folder (no shell expands it here).
                if (cluster.kubeconfig) args.push("--kubeconfig", cluster.kubeconfig.replace(/^~(?=\/|$)/, homedir()));
                execFile(kubectl, args, { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
                    if (error) {
                        reject(
                            new Error(
                                `pacstack reads the credentials Secret ${namespace}/${name} a previous deployment kept, so that kept databases keep ` +
                                    `accepting them (README: Redeploy onto kept data), and \`${kubectl} ${args.join(" ")}\` failed: ${String(stderr || error.message).trim()}`,
                            ),
                        );
                        return;
                    }
                    if (stdout.trim() === "") {
                        resolve(undefined);
                        return;
                    }
                    const data = (JSON.parse(stdout) as { data?: Record<string, string> }).data ?? {};
                    resolve(Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString("utf8")])));
                });
            }),
    );
}

/** Kept Secrets from a JSON file `{ "<namespace>/<name>": { "<key>": "<value>" } }` (offline plans, tests). */
export function fileKeptSecrets(path: string): KeptSecrets {
    const all = JSON.parse(readFileSync(path, "utf8")) as Record<string, Record<string, string>>;
    return { read: async (namespace, name) => all[`${namespace}/${name}`] };
}

/**
 * Names the file that stands for the cluster's kept Secrets (offline plans), or `none` (nothing kept: a first
 * deployment); unset, kubectl reads the cluster.
 */
export const KEPT_SECRETS_ENV = "PACSTACK_KEPT_SECRETS";

/** The kept Secrets of the stack's cluster: as PACSTACK_KEPT_SECRETS says, else read with kubectl. */
export function keptSecretsOf(cluster: { context?: string; kubeconfig?: string }): KeptSecrets {
    const source = process.env[KEPT_SECRETS_ENV];
    if (source === "none") return { read: async () => undefined };
    return source ? fileKeptSecrets(source) : kubectlKeptSecrets(cluster);
}
