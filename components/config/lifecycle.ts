import { CertificateLifetime } from "../certificates/plan";

/** Bounds of certificates.validityDays: a day of renewal window needs two; five years is the longest sensible leaf. */
export const CERTIFICATE_VALIDITY_DAYS = { min: 2, max: 1825 } as const;

/**
 * Checks certificates.validityDays and certificates.renewBeforeDays together: the renewal window must be at least a
 * day and shorter than the validity, or every `pulumi up` would issue new certificates (and restart every pod that
 * mounts one). `name` gives each key as the user wrote it.
 */
export function readCertificateLifetime(
    validityDays: number | undefined,
    renewBeforeDays: number | undefined,
    name: (field: "validityDays" | "renewBeforeDays") => string,
): { lifetime?: CertificateLifetime; problems: string[] } {
    const problems: string[] = [];
    if (validityDays === undefined || renewBeforeDays === undefined) return { problems };
    const { min, max } = CERTIFICATE_VALIDITY_DAYS;
    if (validityDays < min || validityDays > max) {
        problems.push(`pacstack:${name("validityDays")} = ${validityDays}: must be an integer from ${min} to ${max}`);
    } else if (renewBeforeDays < 1 || renewBeforeDays >= validityDays) {
        problems.push(
            `pacstack:${name("renewBeforeDays")} = ${renewBeforeDays}: must be at least 1 and less than pacstack:${name("validityDays")} (${validityDays}), ` +
                "or every pulumi up would issue new certificates",
        );
    }
    if (problems.length > 0) return { problems };
    return { lifetime: { validityHours: validityDays * 24, earlyRenewalHours: renewBeforeDays * 24 }, problems };
}
