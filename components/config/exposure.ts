import { isIPv4, isIPv6 } from "node:net";

/** Clouds whose internal load balancer pacstack can ask for by annotation. */
export const INTERNAL_LOAD_BALANCERS = ["aws", "azure", "gcp"] as const;

/** Who may reach the cloud edge (the Traefik LoadBalancer Service) and how the cloud builds it. */
export interface EdgeExposure {
    /** Client CIDRs the load balancer admits (loadBalancerSourceRanges, web and DICOM); empty admits every address. */
    sourceRanges: string[];
    /**
     * The modalities' networks: the only client CIDRs the DICOM-TLS and HL7-TLS entrypoints admit (Traefik
     * IPAllowList, besides the load balancer's sourceRanges); empty admits those the load balancer admits.
     */
    dicomSourceRanges: string[];
    /** "" for a public load balancer, else the cloud whose internal (private address) load balancer to ask for. */
    internal: "" | (typeof INTERNAL_LOAD_BALANCERS)[number];
    /** Extra annotations of the Traefik Service; they win over the internal load balancer's. */
    annotations: Record<string, string>;
}

/** What the load balancer Service itself is given (the DICOM allow list is Traefik's, on the TCP routes). */
export type LoadBalancerExposure = Omit<EdgeExposure, "dicomSourceRanges">;

export const DEFAULT_EXPOSURE: EdgeExposure = { sourceRanges: [], dicomSourceRanges: [], internal: "", annotations: {} };

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes annotation key: an optional DNS subdomain prefix and a name of at most 63 characters. */
function isAnnotationKey(key: string): boolean {
    const slash = key.lastIndexOf("/");
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    return QUALIFIED_NAME.test(name) && (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix)));
}

/** Why `cidr` is not a network in CIDR notation with no host bits set, or undefined when it is one. */
export function cidrProblem(cidr: string): string | undefined {
    const [address, bits, ...rest] = cidr.split("/");
    const v4 = isIPv4(address ?? "");
    const v6 = !v4 && isIPv6(address ?? "");
    const max = v4 ? 32 : 128;
    if (rest.length > 0 || !(v4 || v6) || !/^[0-9]{1,3}$/.test(bits ?? "") || Number(bits) > max) {
        return "is not a CIDR like 203.0.113.0/24 or 2001:db8::/32";
    }
    const value = v4 ? address.split(".").reduce((n, octet) => (n << 8n) | BigInt(octet), 0n) : ipv6Value(address);
    const hostBits = BigInt(max - Number(bits));
    if ((value & ((1n << hostBits) - 1n)) !== 0n) {
        return `has host bits set beyond /${bits} (write the network address)`;
    }
    return undefined;
}

/** The 16-bit words of an IPv6 address (already known valid), "::" expanded and a trailing IPv4 part split in two. */
function ipv6Value(address: string): bigint {
    const words = (part: string) =>
        part === ""
            ? []
            : part.split(":").flatMap((group) => {
                  if (!group.includes(".")) return [parseInt(group, 16)];
                  const [a, b, c, d] = group.split(".").map(Number);
                  return [(a << 8) | b, (c << 8) | d];
              });
    const [head, tail] = address.split("::");
    const left = words(head);
    const right = tail === undefined ? [] : words(tail);
    const all = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
    return all.reduce((n, word) => (n << 16n) | BigInt(word), 0n);
}

/** Reads `pacstack:exposure`; every problem names the field, its value and what is allowed. */
export function readExposure(value: unknown): { exposure?: EdgeExposure; problems: string[] } {
    const key = "pacstack:exposure";
    const show = JSON.stringify;
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return { problems: [`${key} = ${show(value)}: must be an object with sourceRanges, dicomSourceRanges, internal and annotations`] };
    }
    const raw = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const field of Object.keys(raw).sort()) {
        if (!(field in DEFAULT_EXPOSURE)) problems.push(`${key}.${field} = ${show(raw[field])}: unknown field; allowed fields are sourceRanges, dicomSourceRanges, internal, annotations`);
    }
    const ranges = (field: "sourceRanges" | "dicomSourceRanges"): unknown => {
        const list = raw[field] ?? DEFAULT_EXPOSURE[field];
        if (!Array.isArray(list) || !list.every((r) => typeof r === "string")) {
            problems.push(`${key}.${field} = ${show(list)}: must be a list of CIDRs like ["203.0.113.0/24"]`);
            return list;
        }
        for (const range of list) {
            const why = cidrProblem(range);
            if (why) problems.push(`${key}.${field}: ${show(range)} ${why}`);
        }
        if (new Set(list).size !== list.length) problems.push(`${key}.${field} = ${show(list)}: lists a range twice`);
        return list;
    };
    const sourceRanges = ranges("sourceRanges");
    const dicomSourceRanges = ranges("dicomSourceRanges");
    const internal = raw.internal ?? DEFAULT_EXPOSURE.internal;
    if (internal !== "" && !(INTERNAL_LOAD_BALANCERS as readonly unknown[]).includes(internal)) {
        problems.push(`${key}.internal = ${show(internal)}: must be "" (public) or one of ${INTERNAL_LOAD_BALANCERS.join(", ")}`);
    }
    const annotations = raw.annotations ?? DEFAULT_EXPOSURE.annotations;
    if (annotations === null || typeof annotations !== "object" || Array.isArray(annotations)) {
        problems.push(`${key}.annotations = ${show(annotations)}: must be an object of annotation names to string values`);
    } else {
        for (const [name, text] of Object.entries(annotations as Record<string, unknown>)) {
            if (!isAnnotationKey(name)) problems.push(`${key}.annotations: ${show(name)} is not a Kubernetes annotation name (optional DNS prefix/, then at most 63 of A-Z a-z 0-9 - _ .)`);
            if (typeof text !== "string") problems.push(`${key}.annotations.${name} = ${show(text)}: must be a string`);
        }
    }
    if (problems.length > 0) return { problems };
    return {
        exposure: { sourceRanges: sourceRanges as string[], dicomSourceRanges: dicomSourceRanges as string[], internal: internal as EdgeExposure["internal"], annotations: annotations as Record<string, string> },
        problems,
    };
}
