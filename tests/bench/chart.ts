import { mkdirSync, rmSync, statSync } from "node:fs";
import { HEADLESS_CHROMIUM_ARGS, requireBinary } from "../harness/real/binaries";
import { runTool } from "../harness/real/tools";
import type { BenchReport } from "./report";

export const CHART_SIZE = { width: 900, height: 600 };
const COLORS = ["#7f7f7f", "#bcbd22", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceMax(value: number): number {
    const magnitude = 10 ** Math.floor(Math.log10(Math.max(value, 1)));
    for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * magnitude) return step * magnitude;
    return 10 * magnitude;
}

/** Throughput (instances/s) against associations, one panel per dataset, one line per target, as SVG. */
export function renderChart(report: BenchReport): string {
    const { width, height } = CHART_SIZE;
    const panels = [
        { dataset: "large", title: `512×512 16-bit CT (${Math.round((report.datasets.large?.bytesPerInstance ?? 0) / 1024)} KiB)` },
        { dataset: "small", title: `small CT 128×128 (${Math.round((report.datasets.small?.bytesPerInstance ?? 0) / 1024)} KiB)` },
    ];
    const associations = [...new Set(report.targets.flatMap((t) => t.ingest.map((r) => r.associations)))].sort((a, b) => a - b);
    const legendRows = Math.ceil(report.targets.length / 2);
    const top = 70;
    const bottom = height - 60 - legendRows * 20;
    const panelWidth = (width - 60) / 2;
    const out: string[] = [];
    out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">`);
    out.push(`<rect width="${width}" height="${height}" fill="white"/>`);
    out.push(`<text x="${width / 2}" y="24" font-size="17" text-anchor="middle" font-weight="bold">DICOM C-STORE throughput against parallel associations</text>`);
    const m = report.machine;
    out.push(
        `<text x="${width / 2}" y="44" font-size="11" text-anchor="middle" fill="#444">${escape(
            `${m.cpus} × ${m.cpuModel}, load ${m.loadAverageStart[0]}; Orthanc ${report.software.orthanc ?? "?"}, PostgreSQL ${report.software.postgresql ?? "?"}, dcmtk ${report.software.dcmtk ?? "?"}, TCP_NODELAY=1; ${report.generatedAt.slice(0, 10)}`,
        )}</text>`,
    );
    panels.forEach((panel, p) => {
        const left = 60 + p * (panelWidth + 10);
        const plotLeft = left + 10;
        const plotRight = left + panelWidth - 20;
        const values = report.targets.flatMap((t) => t.ingest.filter((r) => r.dataset === panel.dataset).map((r) => r.instancesPerSecond));
        const yMax = niceMax(Math.max(1, ...values) * 1.05);
        const x = (n: number) =>
            associations.length === 1 ? (plotLeft + plotRight) / 2 : plotLeft + ((plotRight - plotLeft) * associations.indexOf(n)) / (associations.length - 1);
        const y = (v: number) => bottom - ((bottom - top) * v) / yMax;
        out.push(`<text x="${(plotLeft + plotRight) / 2}" y="${top - 8}" font-size="13" text-anchor="middle">${escape(panel.title)}</text>`);
        for (let i = 0; i <= 5; i++) {
            const v = (yMax * i) / 5;
            out.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
            out.push(`<text x="${plotLeft - 5}" y="${y(v) + 4}" font-size="10" text-anchor="end">${Math.round(v)}</text>`);
        }
        out.push(`<line x1="${plotLeft}" x2="${plotLeft}" y1="${top}" y2="${bottom}" stroke="#333"/>`);
        out.push(`<line x1="${plotLeft}" x2="${plotRight}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`);
        for (const n of associations) out.push(`<text x="${x(n)}" y="${bottom + 15}" font-size="11" text-anchor="middle">${n}</text>`);
        out.push(`<text x="${(plotLeft + plotRight) / 2}" y="${bottom + 32}" font-size="11" text-anchor="middle">associations</text>`);
        if (p === 0) {
            out.push(`<text transform="translate(${left - 30},${(top + bottom) / 2}) rotate(-90)" font-size="11" text-anchor="middle">instances / s</text>`);
        }
        report.targets.forEach((t, i) => {
            const runs = t.ingest.filter((r) => r.dataset === panel.dataset).sort((a, b) => a.associations - b.associations);
            if (runs.length === 0) return;
            const color = COLORS[i % COLORS.length];
            const dash = t.id.startsWith("a") ? ` stroke-dasharray="5,4"` : "";
            out.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5"${dash} points="${runs.map((r) => `${x(r.associations)},${y(r.instancesPerSecond)}`).join(" ")}"/>`);
            for (const r of runs) out.push(`<circle cx="${x(r.associations)}" cy="${y(r.instancesPerSecond)}" r="3.5" fill="${color}"/>`);
        });
    });
    report.targets.forEach((t, i) => {
        const column = i % 2;
        const row = Math.floor(i / 2);
        const lx = 80 + column * (width / 2);
        const ly = bottom + 52 + row * 20;
        const color = COLORS[i % COLORS.length];
        const dash = t.id.startsWith("a") ? ` stroke-dasharray="5,4"` : "";
        out.push(`<line x1="${lx}" x2="${lx + 26}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2.5"${dash}/>`);
        out.push(`<text x="${lx + 34}" y="${ly}" font-size="12">${escape(`(${t.id}) ${t.label}${t.tls ? ", TLS" : ""}`)}</text>`);
    });
    out.push("</svg>");
    return out.join("\n") + "\n";
}

/** Renders an SVG file to PNG with Debian's headless Chromium (a fresh profile folder, no network use). */
export async function svgToPng(svgFile: string, pngFile: string, profileDir: string): Promise<void> {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
    const chromium = requireBinary("chromium");
    const result = await runTool(
        chromium,
        [
            ...HEADLESS_CHROMIUM_ARGS,
            "--hide-scrollbars",
            `--user-data-dir=${profileDir}`,
            `--screenshot=${pngFile}`,
            `--window-size=${CHART_SIZE.width},${CHART_SIZE.height}`,
            `file://${svgFile}`,
        ],
        { timeoutMs: 60_000 },
    );
    rmSync(profileDir, { recursive: true, force: true });
    let size = 0;
    try {
        size = statSync(pngFile).size;
    } catch {
        /* reported below */
    }
    if (size === 0) throw new Error(`chromium wrote no PNG (${result.code}):\n${result.output.slice(-2000)}`);
}
