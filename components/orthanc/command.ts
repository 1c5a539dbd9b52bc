import { ORTHANC_BINARY, ORTHANC_MOUNTS } from "./paths";

const BINARY_SUFFIXES: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL_SUFFIXES: Record<string, number> = { "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Bytes of a Kubernetes memory quantity ("2Gi", "512Mi", "1.5G", "1000000"); throws on anything else. */
export function memoryBytes(quantity: string): number {
    const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/.exec(quantity.trim());
    if (!match) throw new Error(`not a memory quantity: ${JSON.stringify(quantity)} (e.g. 2Gi, 512Mi)`);
    const unit = match[2] ?? "";
    return Math.floor(Number(match[1]) * (BINARY_SUFFIXES[unit] ?? DECIMAL_SUFFIXES[unit]));
}

/**
 * The script the container runs: it caps Orthanc's address space (`ulimit -v`, KiB) at the container's memory limit,
 * then becomes Orthanc. Orthanc (1.10.1 and 1.13.0 measured) allocates and touches what a file meta group declares
 * before it reads it: a 1.2 KB upload whose group length says 0xFFFFFFFE takes 4 GiB, which the kernel would answer
 * by killing the pod (an OOM kill under the memory limit). Under the cap the allocation fails instead and Orthanc
 * answers that one request with an error (tests/orthanc/hostile.real.test.ts, "Hostile input" in README).
 */
export const ADDRESS_SPACE_SCRIPT = 'ulimit -v "$0" && exec "$@"';

/** The container command: Orthanc on the mounted configuration folder, under the address-space cap. */
export function renderOrthancCommand(memoryLimit: string, binary = ORTHANC_BINARY, configDir = `${ORTHANC_MOUNTS.config}/`): string[] {
    const kib = Math.floor(memoryBytes(memoryLimit) / 1024);
    return ["/bin/sh", "-c", ADDRESS_SPACE_SCRIPT, String(kib), binary, configDir];
}
