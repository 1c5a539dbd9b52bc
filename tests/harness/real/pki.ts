import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary } from "./binaries";
import { runOk } from "./tools";

/** PEM files on disk, plus their text. */
export interface KeyPair {
    cert: string;
    key: string;
    certPem: string;
    keyPem: string;
}

export interface TestPki {
    dir: string;
    ca: KeyPair;
    /** CN=localhost, SAN DNS:localhost + IP:127.0.0.1, serverAuth, signed by `ca`. */
    server: KeyPair;
    /** clientAuth, signed by `ca`. */
    client: KeyPair;
    /** A second, unrelated CA and a client certificate it signed: must be refused everywhere. */
    rogueCa: KeyPair;
    rogueClient: KeyPair;
}

const OPENSSL_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

function pair(cert: string, key: string): KeyPair {
    return { cert, key, certPem: readFileSync(cert, "utf8"), keyPem: readFileSync(key, "utf8") };
}

async function createCa(dir: string, name: string, cn: string, config: string): Promise<KeyPair> {
    const key = join(dir, `${name}.key`);
    const cert = join(dir, `${name}.crt`);
    await runOk(requireBinary("openssl"), [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
        "-days", "2", "-subj", `/CN=${cn}`, "-config", config, "-extensions", "ca",
    ]);
    return pair(cert, key);
}

export async function issue(dir: string, name: string, cn: string, profile: "server" | "client", ca: KeyPair, config: string): Promise<KeyPair> {
    const openssl = requireBinary("openssl");
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.crt`);
    await runOk(openssl, ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=${cn}`, "-config", config]);
    await runOk(openssl, [
        "x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial", `0x${randomBytes(8).toString("hex")}`,
        "-days", "2", "-out", cert, "-extfile", config, "-extensions", profile,
    ]);
    return pair(cert, key);
}

/** The openssl configuration createTestPki wrote (profiles `server`, `client`, `ca`). */
export const opensslConfig = (pki: TestPki) => join(pki.dir, "openssl.cnf");

/** A throwaway PKI made with the openssl CLI (RSA 2048, valid two days). */
export async function createTestPki(dir: string): Promise<TestPki> {
    mkdirSync(dir, { recursive: true });
    const config = join(dir, "openssl.cnf");
    writeFileSync(config, OPENSSL_CONFIG);
    const [ca, rogueCa] = await Promise.all([
        createCa(dir, "ca", "pacstack test CA", config),
        createCa(dir, "rogue-ca", "rogue test CA", config),
    ]);
    const [server, client, rogueClient] = await Promise.all([
        issue(dir, "server", "localhost", "server", ca, config),
        issue(dir, "client", "pacstack test client", "client", ca, config),
        issue(dir, "rogue-client", "pacstack test client", "client", rogueCa, config),
    ]);
    return { dir, ca, server, client, rogueCa, rogueClient };
}

/** A server certificate from `ca` (default: `pki.ca`) for exactly these DNS names (the first is the common name). */
export async function issueServerFor(pki: TestPki, name: string, dnsNames: string[], ca: KeyPair = pki.ca): Promise<KeyPair> {
    const config = join(pki.dir, `${name}.cnf`);
    const names = dnsNames.map((n) => `DNS:${n}`).join(",");
    writeFileSync(config, OPENSSL_CONFIG.replace("subjectAltName = DNS:localhost,IP:127.0.0.1", `subjectAltName = ${names}`));
    return issue(pki.dir, name, dnsNames[0], "server", ca, config);
}

/** A self-signed certificate (its own trust anchor, as pacstack issues modality certificates), RSA 2048, two days. */
export async function selfSigned(pki: TestPki, name: string, cn: string, profile: "server" | "client"): Promise<KeyPair> {
    const key = join(pki.dir, `${name}.key`);
    const cert = join(pki.dir, `${name}.crt`);
    await runOk(requireBinary("openssl"), [
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${cn}`,
        "-set_serial", `0x${randomBytes(8).toString("hex")}`, "-config", opensslConfig(pki), "-extensions", profile,
    ]);
    return pair(cert, key);
}
