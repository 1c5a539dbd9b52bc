/** A container image split the way Helm charts expect it. */
export interface ImageRef {
    /** Registry host, e.g. `docker.io`. */
    registry: string;
    /** Repository path inside the registry, e.g. `bitnamilegacy/postgresql`. */
    repository: string;
    /** Tag or `sha256:` digest; never `latest`. */
    tag: string;
}

const REFERENCE = /^(?:(?<registry>[a-z0-9.-]+(?::[0-9]+)?)\/)?(?<repository>[a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/**
 * Parses `registry/repository:tag` (or `@sha256:...`). Returns undefined for a reference that is
 * malformed, unpinned (no tag, no digest) or pinned to `latest`.
 */
export function parseImage(reference: string): ImageRef | undefined {
    const match = REFERENCE.exec(reference);
    if (!match?.groups) {
        return undefined;
    }
    const { repository, tag, digest } = match.groups;
    let registry = match.groups.registry;
    let repo = repository;
    // "bitnamilegacy/postgresql" has no registry: the first segment has no dot, port or "localhost".
    if (registry && !/[.:]/.test(registry) && registry !== "localhost") {
        repo = `${registry}/${repository}`;
        registry = undefined as unknown as string;
    }
    if (!digest && (!tag || tag === "latest")) {
        return undefined;
    }
    return { registry: registry ?? "docker.io", repository: repo, tag: digest ?? tag };
}

/** The image reference a pod spec uses. */
export function imageReference(image: ImageRef): string {
    const separator = image.tag.startsWith("sha256:") ? "@" : ":";
    return `${image.registry}/${image.repository}${separator}${image.tag}`;
}
