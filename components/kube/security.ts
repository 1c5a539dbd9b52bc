/**
 * Security contexts that satisfy the Pod Security "restricted" profile. Every workload pacstack renders
 * itself uses these; the graph-wide invariants test checks them.
 */
export function restrictedPodSecurityContext(uid: number, gid: number = uid) {
    return {
        fsGroup: gid,
        fsGroupChangePolicy: "OnRootMismatch",
        runAsGroup: gid,
        runAsNonRoot: true,
        runAsUser: uid,
        seccompProfile: { type: "RuntimeDefault" },
    };
}

export function restrictedContainerSecurityContext() {
    return {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
    };
}
