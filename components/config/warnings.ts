import { PlatformConfig } from "./validate";

/** Repositories whose images no longer receive security fixes (Bitnami froze its free catalogue in August 2025). */
export const FROZEN_IMAGE_PREFIXES = ["bitnamilegacy/"];

/**
 * What a valid configuration still deserves a warning for: the stack output `warnings` lists them and `pulumi up`
 * prints them. Nothing here stops a deployment.
 */
export function platformWarnings(config: Pick<PlatformConfig, "postgres">): string[] {
    const warnings: string[] = [];
    const image = config.postgres.image;
    if (FROZEN_IMAGE_PREFIXES.some((prefix) => image.repository.startsWith(prefix))) {
        warnings.push(
            `pacstack:postgres.image = ${image.registry}/${image.repository}:${image.tag} receives no security fixes (Bitnami's frozen legacy catalogue): ` +
                "set postgres.image to a maintained Bitnami-built image, e.g. from a Bitnami Secure Images registry with postgres.imagePullSecrets (README: PostgreSQL image)",
        );
    }
    return warnings;
}
