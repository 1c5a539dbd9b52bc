import { isIP } from "node:net";
import { ApiServerPeers, DnsPeers } from "../kube/network-policy";
import { PlatformKind } from "./schema";

/** The `pacstack:network` setting, defaults applied: the peers pacstack's NetworkPolicies name. */
export interface NetworkConfig {
    dns: DnsPeers;
    apiServer: ApiServerPeers;
    /** Namespace whose pods may scrape metrics (Prometheus). */
    monitoringNamespace: string;
}

/** NodeLocal DNSCache's default link-local address: pods' queries to it are never DNATed to a DNS pod. */
export const NODE_LOCAL_DNS = "169.254.20.10/32";
/** The private IPv4 ranges (RFC 1918), where an in-cluster API endpoint usually lives. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

const KUBE_DNS = { namespace: "kube-system", podLabels: { "k8s-app": "kube-dns" }, ports: [53] };

/**
 * Per platform: the cluster DNS pods plus the kube-dns Service address (with NodeLocal DNSCache, queries to it stay
 * undNATed) and NodeLocal DNSCache's address; the API server's port (minikube 8443, MicroK8s 16443, managed 443)
 * on private addresses.
 */
export const NETWORK_DEFAULTS: Record<PlatformKind, NetworkConfig> = {
    minikube: {
        dns: { ...KUBE_DNS, cidrs: ["10.96.0.10/32", NODE_LOCAL_DNS] },
        apiServer: { cidrs: PRIVATE_RANGES, ports: [8443] },
        monitoringNamespace: "monitoring",
    },
    microk8s: {
        dns: { ...KUBE_DNS, cidrs: ["10.152.183.10/32", NODE_LOCAL_DNS] },
        apiServer: { cidrs: PRIVATE_RANGES, ports: [16443] },
        monitoringNamespace: "monitoring",
    },
    cloud: {
        dns: { ...KUBE_DNS, cidrs: [NODE_LOCAL_DNS] },
        apiServer: { cidrs: PRIVATE_RANGES, ports: [443] },
        monitoringNamespace: "monitoring",
    },
};

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;

function isCidr(value: unknown): boolean {
    if (typeof value !== "string" || !value.includes("/")) return false;
    const [address, bits] = value.split("/");
    const family = isIP(address);
    return family !== 0 && /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isPorts = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((p) => Number.isInteger(p) && p >= 1 && p <= 65535);
const isCidrs = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every(isCidr);

/**
 * Reads `pacstack:network` over the platform's defaults (each field given replaces the default), adding one
 * problem per bad field, named by its path.
 */
export function validateNetwork(raw: Record<string, unknown>, platform: PlatformKind, problems: string[]): NetworkConfig {
    const defaults = NETWORK_DEFAULTS[platform];
    const bad = (path: string, value: unknown, allowed: string) => problems.push(`pacstack:network.${path} = ${JSON.stringify(value)}: ${allowed}`);
    const only = (path: string, value: Record<string, unknown>, keys: string[]) => {
        for (const key of Object.keys(value).filter((k) => !keys.includes(k))) bad(`${path}${key}`, value[key], `unknown field; allowed fields are ${keys.join(", ")}`);
    };
    only("", raw, ["dns", "apiServer", "monitoringNamespace"]);
    const section = (key: "dns" | "apiServer"): Record<string, unknown> => {
        if (raw[key] === undefined) return {};
        if (isObject(raw[key])) return raw[key];
        bad(key, raw[key], "must be an object");
        return {};
    };
    const dns = section("dns");
    const apiServer = section("apiServer");
    only("dns.", dns, ["namespace", "podLabels", "cidrs", "ports"]);
    only("apiServer.", apiServer, ["cidrs", "ports"]);
    const pick = <T>(path: string, value: unknown, fallback: T, ok: (v: unknown) => boolean, allowed: string): T => {
        if (value === undefined) return fallback;
        if (ok(value)) return value as T;
        bad(path, value, allowed);
        return fallback;
    };
    const labels = (v: unknown) => isObject(v) && Object.entries(v).every(([k, val]) => LABEL_KEY.test(k) && typeof val === "string" && LABEL_VALUE.test(val));
    const dnsCidrs = (v: unknown) => Array.isArray(v) && v.every(isCidr);
    const namespace = (v: unknown) => typeof v === "string" && DNS_LABEL.test(v);
    const ports = "must be a non-empty list of ports from 1 to 65535";
    const checked: NetworkConfig = {
        dns: {
            namespace: pick("dns.namespace", dns.namespace, defaults.dns.namespace, namespace, "must be a namespace name"),
            podLabels: pick("dns.podLabels", dns.podLabels, defaults.dns.podLabels, labels, "must map label keys to label values ({} for no DNS pods)"),
            cidrs: pick("dns.cidrs", dns.cidrs, defaults.dns.cidrs, dnsCidrs, "must be a list of CIDRs like 10.96.0.10/32"),
            ports: pick("dns.ports", dns.ports, defaults.dns.ports, isPorts, ports),
        },
        apiServer: {
            cidrs: pick("apiServer.cidrs", apiServer.cidrs, defaults.apiServer.cidrs, isCidrs, "must be a non-empty list of CIDRs like 192.168.49.2/32"),
            ports: pick("apiServer.ports", apiServer.ports, defaults.apiServer.ports, isPorts, ports),
        },
        monitoringNamespace: pick("monitoringNamespace", raw.monitoringNamespace, defaults.monitoringNamespace, namespace, "must be a namespace name"),
    };
    if (Object.keys(checked.dns.podLabels).length === 0 && checked.dns.cidrs.length === 0) {
        bad("dns", dns, "needs DNS pod labels or CIDRs: a DNS rule without peers would allow every destination");
    }
    return checked;
}
