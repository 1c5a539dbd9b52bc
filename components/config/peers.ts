import { X509Certificate } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { ModalityAccess } from "./modalities";
import { showSetting } from "./show";

/**
 * Orthanc peers (other Orthancs reached over HTTPS) and forwarding (what Orthanc sends on by itself), as the
 * `orthanc` group of the settings takes them:
 *
 *     orthanc:
 *       peers:
 *         - name: research
 *           url: https://research.hospital.org/orthanc/
 *           username: pacs-forwarder
 *           password: { secure: ... }          # pulumi config set --secret --path ...; absent: generated
 *           caCertificate: "-----BEGIN CERTIFICATE-----..."   # the CA that signed the peer's certificate
 *       forwarding:
 *         - peer: research                     # every stable study, over HTTPS
 *         - modality: teaching-pacs            # every stable study, DICOM TLS C-STORE
 *       stableAgeSeconds: 60
 */
export interface OrthancPeer {
    /** Lowercase DNS label: the name in Orthanc's OrthancPeers and in `forwarding`. */
    name: string;
    /** https URL of the peer's REST API, ending with "/". */
    url: string;
    username: string;
    /** The given password (a secret), or undefined: pacstack generates one. */
    password?: pulumi.Input<string>;
    /** PEM of the CA that signed the peer's server certificate; undefined: the system's CAs. */
    caCertificate?: string;
}

export const FORWARDING_TRIGGERS = ["stable-study"] as const;
export type ForwardingTrigger = (typeof FORWARDING_TRIGGERS)[number];

export interface ForwardingRule {
    /** A peer (HTTPS) or a modality with a DICOM TLS destination (C-STORE). */
    target: { kind: "peer" | "modality"; name: string };
    /** When Orthanc sends: "stable-study", once a study received nothing new for stableAgeSeconds. */
    trigger: ForwardingTrigger;
}

/** One entry of `orthanc.peers` as a program writes it. */
export interface PeerSetting {
    name: string;
    url: string;
    username: string;
    password?: pulumi.Input<string>;
    caCertificate?: string;
}

/** One entry of `orthanc.forwarding`: exactly one of peer or modality. */
export interface ForwardingSetting {
    peer?: string;
    modality?: string;
    /** @default "stable-study" */
    when?: ForwardingTrigger;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
/** Basic authentication: no colon in the user name; printable ASCII without the characters JSON escapes. */
const USERNAME = /^[!#-9;-[\]-~]{1,64}$/;
/**
 * A given password reaches Orthanc through `${VAR}` substitution in the JSON text of its configuration, so a quote
 * or backslash would break the file (and Orthanc would not start): printable ASCII without `"` and `\`. Orthanc also
 * substitutes a `${...}` inside the inserted value (seen on 1.10.1: such a password reached the peer changed), and
 * `${ORTHANC_DB_PASSWORD}` there would send the database password to the peer: `${` is refused too.
 */
const PASSWORD = /^[!#-[\]-~]{8,128}$/;
const PEER_KEYS = ["name", "url", "username", "password", "caCertificate"];
const FORWARDING_KEYS = ["peer", "modality", "when"];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
const show = showSetting;

/** The problem with a given password, if any (also used once another resource's output is known). */
export function passwordProblem(password: string, at: string): string | undefined {
    return PASSWORD.test(password) && !password.includes("${")
        ? undefined
        : `${at} = "[secret]": must be 8-128 printable ASCII characters without ", \\ and \${ (Orthanc reads it from its JSON configuration)`;
}

/** Whether a PEM holds one certificate that is a CA. */
function isCaCertificate(pem: string): boolean {
    try {
        return pem.trim().startsWith("-----BEGIN CERTIFICATE-----") && new X509Certificate(pem).ca;
    } catch {
        return false;
    }
}

function parseUrl(value: unknown): string | undefined {
    if (typeof value !== "string") return undefined;
    let url: URL;
    try {
        url = new URL(value);
    } catch {
        return undefined;
    }
    const clean = url.protocol === "https:" && url.username === "" && url.password === "" && url.search === "" && url.hash === "" && url.hostname !== "";
    return clean ? (url.href.endsWith("/") ? url.href : `${url.href}/`) : undefined;
}

function parsePeer(raw: unknown, at: string): OrthancPeer | string[] {
    if (!isObject(raw)) return [`${at} = ${show(raw)}: must be an object { name, url, username, password, caCertificate }`];
    const problems: string[] = [];
    const unknown = Object.keys(raw).filter((k) => !PEER_KEYS.includes(k));
    if (unknown.length > 0) problems.push(`${at} = ${show(raw)}: unknown key(s) ${unknown.join(", ")}; allowed are ${PEER_KEYS.join(", ")}`);
    const { name, url, username, password, caCertificate } = raw;
    if (typeof name !== "string" || !NAME.test(name)) problems.push(`${at}.name = ${show(name)}: must be a lowercase DNS label of at most 40 characters`);
    const parsedUrl = parseUrl(url);
    if (!parsedUrl) problems.push(`${at}.url = ${show(url)}: must be an https:// URL without credentials, query or fragment, e.g. https://research.example.org/orthanc/`);
    if (typeof username !== "string" || !USERNAME.test(username)) {
        problems.push(`${at}.username = ${show(username)}: must be 1-64 printable ASCII characters without : " and \\`);
    }
    if (password !== undefined && !pulumi.Output.isInstance(password)) {
        const problem = typeof password === "string" ? passwordProblem(password, `${at}.password`) : `${at}.password = "[secret]": must be a string`;
        if (problem) problems.push(problem);
    }
    if (caCertificate !== undefined && (typeof caCertificate !== "string" || !isCaCertificate(caCertificate))) {
        problems.push(`${at}.caCertificate: must be the PEM of one CA certificate (BEGIN CERTIFICATE, basicConstraints CA:TRUE)`);
    }
    if (problems.length > 0) return problems;
    return {
        name: name as string,
        url: parsedUrl!,
        username: username as string,
        ...(password !== undefined ? { password: password as pulumi.Input<string> } : {}),
        ...(caCertificate !== undefined ? { caCertificate: (caCertificate as string).trim() + "\n" } : {}),
    };
}

const duplicates = (values: string[]) => [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];

/**
 * Validates `orthanc.peers` (written as `key`): distinct names, https URLs, credentials Orthanc can read, CA
 * certificates. Orthanc verifies every peer against one CA file, so either every peer names its CA or none does.
 */
export function parsePeers(raw: unknown, key: string): { peers: OrthancPeer[]; problems: string[] } {
    if (raw === undefined) return { peers: [], problems: [] };
    if (!Array.isArray(raw)) return { peers: [], problems: [`pacstack:${key} = ${show(raw)}: must be a list of peers { name, url, username, password, caCertificate }`] };
    const problems: string[] = [];
    const peers: OrthancPeer[] = [];
    raw.forEach((entry, i) => {
        const parsed = parsePeer(entry, `pacstack:${key}[${i}]`);
        if (Array.isArray(parsed)) problems.push(...parsed);
        else peers.push(parsed);
    });
    const names = duplicates(peers.map((p) => p.name));
    if (names.length > 0) problems.push(`pacstack:${key}: the name(s) ${names.join(", ")} appear more than once; each names one peer`);
    const withCa = peers.filter((p) => p.caCertificate !== undefined).map((p) => p.name);
    if (withCa.length > 0 && withCa.length < peers.length) {
        problems.push(
            `pacstack:${key}: ${withCa.join(", ")} name a caCertificate and ${peers.filter((p) => !withCa.includes(p.name)).map((p) => p.name).join(", ")} do not; ` +
                "Orthanc checks every peer against one set of CAs, so give every peer its caCertificate or none (the system's CAs)",
        );
    }
    return { peers: problems.length > 0 ? [] : peers, problems };
}

/**
 * Validates `orthanc.forwarding` (written as `key`) against the peers and modalities: each entry names exactly one
 * known target, a modality with a DICOM TLS destination (forwarding never sends plain DICOM), and each target once.
 */
export function parseForwarding(raw: unknown, key: string, peers: OrthancPeer[], modalities: ModalityAccess[]): { rules: ForwardingRule[]; problems: string[] } {
    if (raw === undefined) return { rules: [], problems: [] };
    if (!Array.isArray(raw)) return { rules: [], problems: [`pacstack:${key} = ${show(raw)}: must be a list like [{ peer: research }, { modality: teaching-pacs }]`] };
    const problems: string[] = [];
    const rules: ForwardingRule[] = [];
    raw.forEach((entry, i) => {
        const at = `pacstack:${key}[${i}]`;
        if (!isObject(entry)) {
            problems.push(`${at} = ${show(entry)}: must be an object { peer } or { modality }, with when: ${FORWARDING_TRIGGERS.join(", ")}`);
            return;
        }
        const unknown = Object.keys(entry).filter((k) => !FORWARDING_KEYS.includes(k));
        if (unknown.length > 0) problems.push(`${at} = ${show(entry)}: unknown key(s) ${unknown.join(", ")}; allowed are ${FORWARDING_KEYS.join(", ")}`);
        const when = entry.when ?? "stable-study";
        if (!(FORWARDING_TRIGGERS as readonly unknown[]).includes(when)) problems.push(`${at}.when = ${show(entry.when)}: must be one of ${FORWARDING_TRIGGERS.join(", ")}`);
        if ((entry.peer === undefined) === (entry.modality === undefined)) {
            problems.push(`${at} = ${show(entry)}: must name exactly one target, peer or modality`);
            return;
        }
        if (entry.peer !== undefined) {
            const names = peers.map((p) => p.name);
            if (typeof entry.peer !== "string" || !names.includes(entry.peer)) {
                problems.push(`${at}.peer = ${show(entry.peer)}: must be one of the peers (${names.length > 0 ? names.join(", ") : `none configured in ${key.replace(/forwarding$/, "peers")}`})`);
                return;
            }
            rules.push({ target: { kind: "peer", name: entry.peer }, trigger: when as ForwardingTrigger });
            return;
        }
        const senders = modalities.filter((m) => m.destination?.tls).map((m) => m.name);
        const modality = modalities.find((m) => m.name === entry.modality);
        if (typeof entry.modality !== "string" || !modality || !senders.includes(modality.name)) {
            const why = modality ? "has no DICOM TLS destination; forwarding sends over DICOM TLS only" : "is not a configured modality";
            problems.push(`${at}.modality = ${show(entry.modality)}: ${why}; allowed are modalities with a destination and tls: true (${senders.length > 0 ? senders.join(", ") : "none"})`);
            return;
        }
        rules.push({ target: { kind: "modality", name: modality.name }, trigger: when as ForwardingTrigger });
    });
    const targets = duplicates(rules.map((r) => `${r.target.kind} ${r.target.name}`));
    if (targets.length > 0) problems.push(`pacstack:${key}: ${targets.join(", ")} appear(s) more than once; each target receives every study once`);
    return { rules: problems.length > 0 ? [] : rules, problems };
}
