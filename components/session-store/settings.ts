/**
 * The session store's configuration as pure functions: Valkey's configuration file (TLS only, no persistence, a
 * memory ceiling) and its ACL file (the default user off; one user for oauth2-proxy with only the commands its
 * session store and lock use). The component mounts exactly these; the real-software tests start Redis with them,
 * only paths, address and port changed.
 */

/** The TLS port (no plain port is opened). */
export const SESSION_STORE_PORT = 6379;
/** The app label of the store's pods and objects. */
export const SESSION_STORE_APP = "session-store";
/** The user oauth2-proxy signs in as (the only enabled user). */
export const SESSION_STORE_USER = "oauth2-proxy";
/** The image's `valkey` user and group. */
export const SESSION_STORE_UID = 999;

/**
 * What oauth2-proxy sends, and nothing more: the connection handshake (HELLO with credentials, AUTH, PING), the
 * session's GET/SET/DEL and the lock of a session refresh (bsm/redislock: EXISTS and Lua scripts that call
 * GETRANGE, MGET, MSET, MSETNX, PEXPIRE, PTTL and DEL; scripts run with the caller's rights).
 */
export const SESSION_STORE_COMMANDS = ["auth", "hello", "ping", "get", "set", "del", "exists", "eval", "evalsha", "getrange", "mget", "mset", "msetnx", "pexpire", "pttl"];

export interface SessionStoreConfigInput {
    /** Address to listen on. @default every address (the pod's) */
    bind?: string;
    /** @default SESSION_STORE_PORT */
    port?: number;
    /** Server certificate, its key and the CA (a kubernetes.io/tls Secret's files). */
    tls: { certFile: string; keyFile: string; caFile: string };
    /** The ACL file (renderSessionStoreAcl, from a Secret). */
    aclFile: string;
    /** Working directory (an emptyDir; nothing is written there: persistence is off). */
    dir: string;
    /** Memory ceiling in MiB (`maxmemory`), below the container's memory limit. */
    maxMemoryMiB: number;
}

const PATH = /^\/[A-Za-z0-9._/-]+$/;

/** Problems with the input (empty when valid). */
export function sessionStoreConfigProblems(input: SessionStoreConfigInput): string[] {
    const problems: string[] = [];
    const paths: [string, string][] = [["tls.certFile", input.tls.certFile], ["tls.keyFile", input.tls.keyFile], ["tls.caFile", input.tls.caFile], ["aclFile", input.aclFile], ["dir", input.dir]];
    for (const [key, value] of paths) if (!PATH.test(value)) problems.push(`${key}: ${JSON.stringify(value)} is not an absolute path of letters, digits, . _ / -`);
    if (input.bind !== undefined && !/^[0-9A-Za-z.:-]+$/.test(input.bind)) problems.push(`bind: ${JSON.stringify(input.bind)} is not an address`);
    const port = input.port ?? SESSION_STORE_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) problems.push(`port: ${port} is not a TCP port`);
    if (!Number.isInteger(input.maxMemoryMiB) || input.maxMemoryMiB < 16) problems.push(`maxMemoryMiB: ${input.maxMemoryMiB} must be a whole number of at least 16`);
    return problems;
}

/** Valkey's (and Redis 7's) configuration file. */
export function renderSessionStoreConfig(input: SessionStoreConfigInput): string {
    const problems = sessionStoreConfigProblems(input);
    if (problems.length > 0) throw new Error(`invalid session store settings: ${problems.join("; ")}`);
    return [
        ...(input.bind ? [`bind ${input.bind}`] : []),
        // TLS only: the plain port is closed; clients need no certificate of their own (the password is the credential).
        "port 0",
        `tls-port ${input.port ?? SESSION_STORE_PORT}`,
        `tls-cert-file ${input.tls.certFile}`,
        `tls-key-file ${input.tls.keyFile}`,
        `tls-ca-cert-file ${input.tls.caFile}`,
        "tls-auth-clients no",
        'tls-protocols "TLSv1.2 TLSv1.3"',
        `aclfile ${input.aclFile}`,
        // Sessions are worth nothing after a restart (people sign in again): nothing is written to disk.
        'save ""',
        "appendonly no",
        `dir ${input.dir}`,
        `maxmemory ${input.maxMemoryMiB}mb`,
        // Every session has an expiry; when memory is full the least recently used sessions go (their people sign in
        // again) instead of refusing new sign-ins.
        "maxmemory-policy volatile-lru",
        "",
    ].join("\n");
}

/** The ACL file: the default user off, oauth2-proxy's user with its password and only its commands. */
export function renderSessionStoreAcl(password: string): string {
    // The ACL file splits rules at spaces and lines: a password with either would open a rule of its own. (Its
    // length is the generator's: 32 characters.)
    if (!/^[\x21-\x7e]+$/.test(password)) throw new Error("the session store's password must be printable characters without spaces");
    return [
        "user default off nopass nocommands resetkeys",
        `user ${SESSION_STORE_USER} on >${password} resetkeys ~* resetchannels -@all ${SESSION_STORE_COMMANDS.map((c) => `+${c}`).join(" ")}`,
        "",
    ].join("\n");
}
