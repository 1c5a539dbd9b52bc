import { requireBinary } from "./binaries";
import { runTool, ToolResult } from "./tools";

export type TlsVersion = "tls1" | "tls1_1" | "tls1_2" | "tls1_3";

export interface Handshake {
    /** The TLS handshake completed (client certificate accepted as far as the client can tell). */
    established: boolean;
    /** Negotiated protocol and suite as `openssl s_client -brief` prints them, e.g. "TLSv1.2". */
    protocol?: string;
    cipher?: string;
    result: ToolResult;
}

/**
 * One TLS handshake with `openssl s_client`, offering only `version` (and, when given, only `cipher`), with a client
 * certificate. Its standard input is empty, so after the handshake it sends close_notify and closes at once: a TLS
 * session that opens and sends nothing would hold Debian's Orthanc DICOM listener for about a minute (issue 15).
 * `@SECLEVEL=0` lets this OpenSSL 3 client offer TLS 1.0 and 1.1 at all, so the refusal is the server's.
 */
export async function tlsHandshake(port: number, options: { version: TlsVersion; cipher?: string; cert: string; key: string; ca: string }): Promise<Handshake> {
    const args = ["s_client", "-connect", `127.0.0.1:${port}`, `-${options.version}`, "-brief", "-verify_return_error"];
    args.push("-cert", options.cert, "-key", options.key, "-CAfile", options.ca);
    if (options.version !== "tls1_3") args.push("-cipher", `${options.cipher ?? "DEFAULT"}@SECLEVEL=0`);
    const result = await runTool(requireBinary("openssl"), args, { timeoutMs: 20_000 });
    const protocol = /^Protocol version: (\S+)/m.exec(result.output)?.[1];
    const cipher = /^Ciphersuite: (\S+)/m.exec(result.output)?.[1];
    return { established: /CONNECTION ESTABLISHED/.test(result.output) && protocol !== undefined, protocol, cipher, result };
}
