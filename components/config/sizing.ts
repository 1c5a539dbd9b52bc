import { PLATFORM_PROFILES, PlatformProfile } from "./platform";
import { LeafKey, PlatformKind } from "./schema";
import { showSetting } from "./show";

/** The services whose CPU and memory `pacstack:resources` overrides, as the platform profiles name them. */
export type SizedService = keyof PlatformProfile["resources"];
export const SIZED_SERVICES: SizedService[] = ["orthanc", "postgres", "traefik", "viewer", "dcm4cheeArchive", "dcm4cheeLdap", "dcm4cheeDatabase"];

const CPU = /^(?:[1-9][0-9]*m|[0-9]+(?:\.[0-9]{1,3})?)$/;
const MEMORY = /^[1-9][0-9]*(Mi|Gi)$/;
const SIZE = /^[1-9][0-9]*(Mi|Gi|Ti)$/;

/** A size like 512Mi, 2Gi or 1Ti in MiB; undefined when it is not one. */
export function mebibytes(quantity: string): number | undefined {
    if (!SIZE.test(quantity)) return undefined;
    const unit = quantity.slice(-2);
    return Number(quantity.slice(0, -2)) * (unit === "Mi" ? 1 : unit === "Gi" ? 1024 : 1024 * 1024);
}

/** CPU in millicores (250m, 1, 1.5); undefined when it is not a CPU quantity. */
export function millicores(quantity: string): number | undefined {
    if (!CPU.test(quantity)) return undefined;
    return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Math.round(Number(quantity) * 1000);
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * `pacstack:resources`: per service, CPU and memory requests and limits over the platform profile's, any field
 * optional (`{ orthanc: { limits: { memory: 6Gi } } }`). Each value must be a Kubernetes quantity (CPU 250m or 2,
 * memory in Mi or Gi) and no request may exceed its limit.
 */
export function readResources(raw: unknown, profile: PlatformProfile["resources"]): { resources: PlatformProfile["resources"]; problems: string[] } {
    const problems: string[] = [];
    const resources = structuredClone(profile);
    if (!isObject(raw)) return { resources, problems: [`pacstack:resources = ${showSetting(raw)}: must be an object`] };
    for (const [service, value] of Object.entries(raw)) {
        const at = `pacstack:resources.${service}`;
        if (!(SIZED_SERVICES as string[]).includes(service)) {
            problems.push(`${at}: unknown service; allowed are ${SIZED_SERVICES.join(", ")}`);
            continue;
        }
        if (!isObject(value)) {
            problems.push(`${at} = ${showSetting(value)}: must be an object like {"limits":{"memory":"4Gi"}}`);
            continue;
        }
        const sized = resources[service as SizedService];
        for (const [kind, amounts] of Object.entries(value)) {
            if ((kind !== "requests" && kind !== "limits") || !isObject(amounts)) {
                problems.push(`${at}.${kind} = ${showSetting(amounts)}: allowed are requests and limits, each {cpu, memory}`);
                continue;
            }
            for (const [resource, amount] of Object.entries(amounts)) {
                const ok = resource === "cpu" ? typeof amount === "string" && CPU.test(amount) : resource === "memory" && typeof amount === "string" && MEMORY.test(amount);
                if (!ok) {
                    problems.push(`${at}.${kind}.${resource} = ${showSetting(amount)}: ${resource === "cpu" || resource === "memory" ? `must be a ${resource === "cpu" ? "CPU quantity like 500m or 2" : "memory size like 512Mi or 4Gi"}` : "allowed are cpu and memory"}`);
                    continue;
                }
                sized[kind][resource as "cpu" | "memory"] = amount as string;
            }
        }
        for (const resource of ["cpu", "memory"] as const) {
            const measure = resource === "cpu" ? millicores : mebibytes;
            if (measure(sized.requests[resource])! > measure(sized.limits[resource])!) {
                problems.push(`${at}: requests.${resource} ${sized.requests[resource]} exceeds limits.${resource} ${sized.limits[resource]}`);
            }
        }
    }
    return { resources, problems };
}

/** Headroom Orthanc needs beside the requests it is handling: its own heap, caches, the PostgreSQL connections. */
export const ORTHANC_BASE_MIB = 512;

/**
 * Memory one upload of `uploadLimitMiB` can take in Orthanc: the HTTP body is held in memory whole and parsed into a
 * second copy (DCMTK's dataset) before it is written, so twice the body, plus ORTHANC_BASE_MIB.
 */
export function uploadMemoryMiB(uploadLimitMiB: number): number {
    return 2 * uploadLimitMiB + ORTHANC_BASE_MIB;
}

/** Orthanc's temporary volume when not set: twice the upload limit (an upload and an archive being written), at least 4 GiB. */
export function defaultTemporaryMiB(uploadLimitMiB: number): number {
    return Math.max(4096, 2 * uploadLimitMiB);
}

/**
 * The upload limit against Orthanc's memory limit and temporary volume: one problem naming every key and value when
 * an upload at the limit could exhaust either.
 */
export function uploadProblems(input: { uploadLimitMiB: number; orthancMemoryLimit: string; temporarySize: string; names: { upload: string; memory: string; temporary: string } }): string[] {
    const memory = mebibytes(input.orthancMemoryLimit)!;
    const temporary = mebibytes(input.temporarySize)!;
    const needed = uploadMemoryMiB(input.uploadLimitMiB);
    const problems: string[] = [];
    if (memory < needed || temporary < input.uploadLimitMiB) {
        problems.push(
            `pacstack:${input.names.upload} = ${input.uploadLimitMiB}: one upload at this limit needs ${needed} MiB of Orthanc's memory (twice the body plus ${ORTHANC_BASE_MIB} MiB) ` +
                `and ${input.uploadLimitMiB} MiB of its temporary volume, but pacstack:${input.names.memory} = ${input.orthancMemoryLimit} and pacstack:${input.names.temporary} = ${input.temporarySize}; ` +
                `lower the upload limit to at most ${Math.max(0, Math.min(Math.floor((memory - ORTHANC_BASE_MIB) / 2), temporary))} MiB or raise the others`,
        );
    }
    return problems;
}

/** Share of the DICOM volume Orthanc fills before it refuses new instances (the rest absorbs what is in flight). */
export const STORAGE_CEILING_SHARE = 0.9;

/**
 * MaximumStorageSize (Orthanc counts in MB of 1024 × 1024 bytes) for a DICOM volume of `storageSize`: 90 % of it, so
 * that a full volume refuses new instances cleanly (MaximumStorageMode Reject) instead of failing half-way.
 */
export function orthancStorageCeilingMiB(storageSize: string): number {
    return Math.floor(mebibytes(storageSize)! * STORAGE_CEILING_SHARE);
}

/**
 * PostgreSQL's memory settings from its container's memory limit (PostgreSQL's own tuning guidance): shared_buffers a
 * quarter of it, effective_cache_size three quarters, work_mem what a quarter allows each of `maxConnections`
 * (at least 4 MB), maintenance_work_mem 5 % (64 MB to 1 GB).
 */
export function postgresMemorySettings(memoryLimit: string, maxConnections: number): Record<string, string> {
    const limit = mebibytes(memoryLimit)!;
    return {
        shared_buffers: `${Math.floor(limit / 4)}MB`,
        effective_cache_size: `${Math.floor((limit * 3) / 4)}MB`,
        work_mem: `${Math.max(4, Math.floor(limit / 4 / maxConnections))}MB`,
        maintenance_work_mem: `${Math.min(1024, Math.max(64, Math.floor(limit / 20)))}MB`,
    };
}

/**
 * Resources per service (pacstack:resources over the platform's profile) and Orthanc's temporary volume, with the
 * upload limit checked against both: problems are added to `problems`.
 */
export function readSizing(values: Record<string, unknown>, name: (key: LeafKey) => string, problems: string[]) {
    if (!("platform" in values) || !("resources" in values)) return undefined;
    const read = readResources(values.resources, PLATFORM_PROFILES[values.platform as PlatformKind].resources);
    problems.push(...read.problems);
    const upload = values.uploadLimitMiB as number | undefined;
    const derived = defaultTemporaryMiB(upload ?? 0);
    const temporarySize = (values.orthancTemporarySize as string | undefined) || (derived % 1024 === 0 ? `${derived / 1024}Gi` : `${derived}Mi`);
    const given = (values.resources as Record<string, { limits?: { memory?: unknown } }>).orthanc?.limits?.memory !== undefined;
    if (read.problems.length === 0 && upload !== undefined && "orthancTemporarySize" in values) {
        const memoryName = given ? "resources.orthanc.limits.memory" : `resources.orthanc.limits.memory (the ${values.platform} default)`;
        problems.push(
            ...uploadProblems({
                uploadLimitMiB: upload,
                orthancMemoryLimit: read.resources.orthanc.limits.memory,
                temporarySize,
                names: { upload: name("uploadLimitMiB"), memory: memoryName, temporary: name("orthancTemporarySize") },
            }),
        );
    }
    return { resources: read.resources, temporarySize };
}
