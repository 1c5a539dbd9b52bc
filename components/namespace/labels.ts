export type PodSecurityLevel = "restricted" | "baseline";

/** Namespace labels that make Pod Security admission enforce, audit and warn at one level. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": "pacstack",
        "pod-security.kubernetes.io/audit": level,
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/warn": level,
    };
}
