import { sortKeys } from "../../components/kube/metadata";
import { redactSecrets, unwrapSecrets } from "./mocks";
import { ProgramRun } from "./program";

export interface PlannedResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

/** A resource `pulumi destroy` leaves in the cluster, and the provider that will adopt it on the next deployment. */
export interface KeptResource {
    type: string;
    name: string;
    provider: string;
}

/** The reviewable form of a run: secrets redacted, keys sorted, resources ordered by type then name. */
export interface PlanDocument {
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
    keptOnDestroy: KeptResource[];
    /** Every resource's URN, sorted: what `pulumi up` compares with the state to decide what it creates or replaces. */
    urns: string[];
}

/**
 * What the cluster keeps of a deployment's Secrets after `pulumi destroy` (those registered with retainOnDelete), with
 * their values, in the shape PACSTACK_KEPT_SECRETS reads: `{ "<namespace>/<name>": { "<key>": "<value>" } }`.
 */
export function keptSecretValues(run: ProgramRun): Record<string, Record<string, string>> {
    const kept = run.resources.filter((r) => r.retainOnDelete && r.type === "kubernetes:core/v1:Secret").map((r) => unwrapSecrets(r.inputs) as any);
    return Object.fromEntries(kept.map((secret) => [`${secret.metadata.namespace}/${secret.metadata.name}`, secret.stringData ?? {}]).sort(([a], [b]) => a.localeCompare(b)));
}

export function planDocument(run: ProgramRun): PlanDocument {
    const resources = run.resources
        .map((r) => ({ type: r.type, name: r.name, inputs: sortKeys(redactSecrets(r.inputs)) as Record<string, unknown> }))
        .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type)));
    const keptOnDestroy = run.resources
        .filter((r) => r.retainOnDelete)
        .map((r) => ({ type: r.type, name: r.name, provider: r.provider }))
        .sort((a, b) => `${a.type} ${a.name}`.localeCompare(`${b.type} ${b.name}`));
    const urns = run.resources.map((r) => r.urn).sort();
    return { resources, outputs: sortKeys(redactSecrets(run.outputs)) as Record<string, unknown>, keptOnDestroy, urns };
}
