/**
 * The `modalities` setting: the DICOM devices that talk to the archive. Each entry gets a client certificate for
 * DICOM TLS; an entry with an AE title also gets rights (what it may ask the archive to do) and, with a host and
 * port, becomes a destination the archive sends to (C-MOVE).
 *
 *     modalities:
 *       - ct-scanner                      # a name only: a certificate; stores and echoes with any AE title (as before)
 *       - name: workstation-1
 *         aeTitle: WS1
 *         allow: [find, move, get, echo]
 *         destination: { host: ws1.hospital.org, port: 11112, tls: true }
 */
export const DICOM_RIGHTS = ["store", "find", "move", "get", "echo"] as const;
export type DicomRight = (typeof DICOM_RIGHTS)[number];
/** Rights of an entry with an AE title but no `allow` list. */
export const DEFAULT_RIGHTS: DicomRight[] = ["store", "echo"];

export interface ModalityDestination {
    /** Where the archive connects to send images (C-MOVE): a host name or IP address. */
    host: string;
    port: number;
    /** DICOM TLS (the archive presents its DICOM certificate as client certificate). @default true */
    tls: boolean;
}

export interface ModalityAccess {
    /** Lowercase DNS label: names its certificate (modalityCredentials) and its Orthanc DicomModalities entry. */
    name: string;
    /** Calling AE title the archive recognises; undefined for a name-only entry (any AE title may store). */
    aeTitle?: string;
    /** What the archive lets this AE title do; sorted in DICOM_RIGHTS order. */
    allow: DicomRight[];
    destination?: ModalityDestination;
}

/** One entry of the setting as a program writes it. */
export type ModalitySetting =
    | string
    | { name: string; aeTitle: string; allow?: DicomRight[]; destination?: { host: string; port: number; tls?: boolean } };

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
const AE_TITLE = /^[A-Za-z0-9_.-]{1,16}$/;
const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const ENTRY_KEYS = ["name", "aeTitle", "allow", "destination"];
const DESTINATION_KEYS = ["host", "port", "tls"];

const show = (value: unknown) => JSON.stringify(value);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** One entry, or the problems with it (each naming the entry, the value and what is allowed). */
function parseEntry(raw: unknown, at: string): ModalityAccess | string[] {
    if (typeof raw === "string") {
        return DNS_LABEL.test(raw) ? { name: raw, allow: [...DEFAULT_RIGHTS] } : [`${at} = ${show(raw)}: a name must be a lowercase DNS label of at most 40 characters`];
    }
    if (!isObject(raw)) return [`${at} = ${show(raw)}: must be a name or an object { name, aeTitle, allow, destination }`];
    const problems: string[] = [];
    const unknown = Object.keys(raw).filter((k) => !ENTRY_KEYS.includes(k));
    if (unknown.length > 0) problems.push(`${at} = ${show(raw)}: unknown key(s) ${unknown.join(", ")}; allowed are ${ENTRY_KEYS.join(", ")}`);
    const { name, aeTitle, allow, destination } = raw;
    if (typeof name !== "string" || !DNS_LABEL.test(name)) problems.push(`${at}.name = ${show(name)}: must be a lowercase DNS label of at most 40 characters`);
    if (typeof aeTitle !== "string" || !AE_TITLE.test(aeTitle)) problems.push(`${at}.aeTitle = ${show(aeTitle)}: must be 1-16 characters of letters, digits, _ . -`);
    const rights = allow ?? DEFAULT_RIGHTS;
    if (!Array.isArray(rights) || !rights.every((r) => (DICOM_RIGHTS as readonly unknown[]).includes(r)) || new Set(rights).size !== rights.length) {
        problems.push(`${at}.allow = ${show(allow)}: must be a list of distinct rights from ${DICOM_RIGHTS.join(", ")}`);
    }
    let parsedDestination: ModalityDestination | undefined;
    if (destination !== undefined) {
        if (!isObject(destination)) {
            problems.push(`${at}.destination = ${show(destination)}: must be an object { host, port, tls }`);
        } else {
            const extra = Object.keys(destination).filter((k) => !DESTINATION_KEYS.includes(k));
            if (extra.length > 0) problems.push(`${at}.destination = ${show(destination)}: unknown key(s) ${extra.join(", ")}; allowed are ${DESTINATION_KEYS.join(", ")}`);
            const { host, port, tls } = destination;
            if (typeof host !== "string" || !HOST.test(host)) problems.push(`${at}.destination.host = ${show(host)}: must be a host name or IPv4 address`);
            if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65534) problems.push(`${at}.destination.port = ${show(port)}: must be an integer from 1 to 65534`);
            if (tls !== undefined && typeof tls !== "boolean") problems.push(`${at}.destination.tls = ${show(tls)}: must be true or false`);
            parsedDestination = { host: host as string, port: port as number, tls: (tls as boolean | undefined) ?? true };
        }
    }
    if (problems.length > 0) return problems;
    return {
        name: name as string,
        aeTitle: aeTitle as string,
        allow: DICOM_RIGHTS.filter((r) => (rights as string[]).includes(r)),
        ...(parsedDestination ? { destination: parsedDestination } : {}),
    };
}

/**
 * Validates the `modalities` list: names and AE titles distinct (AE titles compared as DICOM compares them, without
 * case folding, and different from the archives' own), every right known. Returns the entries or the problems.
 */
export function parseModalities(raw: unknown, archiveAeTitles: string[]): { modalities: ModalityAccess[]; problems: string[] } {
    if (!Array.isArray(raw)) return { modalities: [], problems: [`pacstack:modalities = ${show(raw)}: must be a list of names or objects`] };
    const problems: string[] = [];
    const modalities: ModalityAccess[] = [];
    raw.forEach((entry, i) => {
        const parsed = parseEntry(entry, `pacstack:modalities[${i}]`);
        if (Array.isArray(parsed)) problems.push(...parsed);
        else modalities.push(parsed);
    });
    const duplicates = (values: string[]) => [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
    const names = duplicates(modalities.map((m) => m.name));
    if (names.length > 0) problems.push(`pacstack:modalities: the name(s) ${names.join(", ")} appear more than once; each names one certificate`);
    const titles = modalities.flatMap((m) => (m.aeTitle ? [m.aeTitle] : []));
    const sameTitle = duplicates(titles);
    if (sameTitle.length > 0) problems.push(`pacstack:modalities: the AE title(s) ${sameTitle.join(", ")} appear more than once; each AE title has one set of rights`);
    const own = titles.filter((t) => archiveAeTitles.includes(t));
    if (own.length > 0) problems.push(`pacstack:modalities: the AE title(s) ${own.join(", ")} belong to an archive (${archiveAeTitles.join(", ")}); a modality needs its own`);
    return { modalities: problems.length > 0 ? [] : modalities, problems };
}
