import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { requireBinary } from "../harness/real/binaries";
import { parsePostgresConf, pacstackPostgresSettings } from "../harness/real/pacstack-postgres";
import { parseStoreLog, slices } from "../harness/real/scu";
import { ctPixels, writeCtStudy, writeStudyPopulation } from "../harness/real/synthetic";
import { runOk } from "../harness/real/tools";
import { renderChart } from "./chart";
import { parseOrthancVersion } from "../harness/real/orthanc-tiers";
import { BenchReport, ratios, summaryMarkdown, TargetResult } from "./report";
import { parseOptions, tierTargetId } from "./run";
import { parseEdgeOptions } from "./edge";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { applyPatch, builtinTargets, variantTarget } from "./targets";

/** The benchmark's own logic (no server, no timing): options, targets, synthetic DICOM, report and chart. */
describe("bench: options, targets, synthetic data and report (no servers)", () => {
    it("defaults to ~2,000 instances at 1, 4 and 8 associations and 10,000 studies; --quick is small", () => {
        const full = parseOptions([]);
        assert.deepEqual([full.largeInstances, full.smallInstances, full.associations, full.studies, full.seriesSize], [2000, 2000, [1, 4, 8], 10_000, 500]);
        assert.deepEqual(full.targets, ["a", "a-tls", "b", "c", "d"]);
        const quick = parseOptions(["--quick"]);
        assert.ok(quick.largeInstances <= 100 && quick.studies <= 100);
        const custom = parseOptions(["--instances", "300", "--associations", "2,6", "--variant", 'x={"orthanc":{"DicomThreadsCount":8}}']);
        assert.deepEqual([custom.largeInstances, custom.smallInstances, custom.associations], [300, 300, [2, 6]]);
        assert.ok(custom.targets.includes("x"));
        assert.throws(() => parseOptions(["--associations", "0"]));
        assert.throws(() => parseOptions(["--nope"]));
    });

    it("--edge measures at 1, 8 and 32 clients with enough requests per cell; --quick is small", () => {
        const full = parseEdgeOptions(["--edge"]);
        assert.deepEqual(full.concurrency, [1, 8, 32]);
        assert.ok(full.requests >= 20 * 32, "at least 20 requests per client at 32 clients");
        const quick = parseEdgeOptions(["--edge", "--quick"]);
        assert.ok(quick.requests < full.requests && quick.instances < full.instances && quick.viewerRuns < full.viewerRuns);
    });

    it("--orthanc runs every Orthanc target on each named tier, side by side (Debian 12's by default)", () => {
        assert.deepEqual(parseOptions([]).orthancTiers, ["debian12"]);
        assert.deepEqual(parseOptions(["--orthanc", "debian12,sid"]).orthancTiers, ["debian12", "sid"]);
        assert.throws(() => parseOptions(["--orthanc", "debian13"]), /--orthanc/);
        assert.throws(() => parseOptions(["--orthanc", ""]), /--orthanc/);
        assert.deepEqual([tierTargetId("d", "debian12"), tierTargetId("d", "sid")], ["d", "d@sid"]);
    });

    it("--orthanc-binary PATH --plugins DIR adds a custom build as tier `custom` (d@custom beside d)", () => {
        const both = parseOptions(["--orthanc-binary", "/opt/o/Orthanc", "--plugins", "rel/plugins"]);
        assert.deepEqual(both.custom, { binary: "/opt/o/Orthanc", pluginDir: join(process.cwd(), "rel/plugins") });
        assert.deepEqual(both.orthancTiers, ["debian12", "custom"]);
        const only = parseOptions(["--orthanc", "custom", "--plugins", "/p", "--orthanc-binary", "/o"]);
        assert.deepEqual(only.orthancTiers, ["custom"], "not added twice, and Debian 12's left out when not named");
        assert.equal(parseOptions([]).custom, undefined);
        assert.throws(() => parseOptions(["--orthanc-binary", "/o"]), /go together/);
        assert.throws(() => parseOptions(["--plugins", "/p"]), /go together/);
        assert.throws(() => parseOptions(["--orthanc", "debian12,custom"]), /needs --orthanc-binary/);
        assert.throws(() => parseOptions(["--orthanc-binary"]), /needs a value/);
        assert.equal(tierTargetId("d", "custom"), "d@custom");
        const target = (id: string, ips: number): TargetResult => ({
            id,
            label: id,
            description: "",
            tls: true,
            ingest: [{ dataset: "small", associations: 4, instances: 10, bytes: 1, seconds: 1, instancesPerSecond: ips, megabytesPerSecond: 1 }],
        });
        const r = ratios([target("a-tls", 1000), target("d", 200), target("d@custom", 800)]);
        assert.deepEqual(r["d@custom/a-tls"], { "small@4": 0.8 });
        assert.deepEqual(r["d@custom/d"], { "small@4": 4 });
    });

    it("reads the version off `Orthanc --version`", () => {
        assert.equal(parseOrthancVersion("/root/build/Orthanc 1.12.11\nCopyright (C) 2012-2016 Sebastien Jodogne\n"), "1.12.11");
        assert.equal(parseOrthancVersion("/usr/sbin/Orthanc 1.10.1\n"), "1.10.1");
        assert.throws(() => parseOrthancVersion("Usage: Orthanc [OPTION]... [CONFIGURATION]\n"), /no Orthanc version/);
    });

    it("measures pacstack's configuration exactly as rendered, and variants as patches of it", () => {
        const targets = builtinTargets();
        const d = targets.find((t) => t.id === "d");
        assert.ok(d && d.kind === "orthanc");
        assert.deepEqual(d.config, renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT));
        assert.deepEqual(d.postgres, pacstackPostgresSettings());
        assert.equal(d.tls, true);
        const before = targets.find((t) => t.id === "d-before");
        assert.ok(before && before.kind === "orthanc" && before.tls);
        const variant = variantTarget("v", { orthanc: { PostgreSQL: { IndexConnectionsCount: 1 }, DicomTlsEnabled: false } });
        assert.equal((variant.config.PostgreSQL as Record<string, unknown>).IndexConnectionsCount, 1);
        assert.equal((variant.config.PostgreSQL as Record<string, unknown>).EnableIndex, true, "a patch keeps the other keys");
        assert.equal(variant.tls, false);
        assert.deepEqual(applyPatch({ a: 1, b: { c: 2, d: 3 } }, { b: { d: null, e: 4 } }), { a: 1, b: { c: 2, e: 4 } });
    });

    it("parses postgresql.conf fragments", () => {
        assert.deepEqual(parsePostgresConf("a = 'x y'\n# comment\nb = 10 # trailing\n\nc='it''s'\n"), { a: "x y", b: "10", c: "it's" });
    });

    it("writes valid DICOM files that dcmdump reads back with the planned UIDs and pixel data", async () => {
        const dir = mkdtempSync(join(tmpdir(), "pacstack-synthetic-"));
        const files = writeCtStudy(dir, { instances: 3, perSeries: 2, rows: 8, columns: 6 });
        assert.equal(new Set(files.map((f) => f.seriesUid)).size, 2);
        assert.equal(new Set(files.map((f) => f.studyUid)).size, 1);
        const { stdout } = await runOk(requireBinary("dcmdump"), ["+P", "0008,0018", "+P", "0028,0010", "+P", "0028,0011", files[2].file]);
        assert.match(stdout, new RegExp(`\\[${files[2].sopUid.replace(/\./g, "\\.")}\\]`));
        assert.match(stdout, /\(0028,0010\) US 8/);
        assert.match(stdout, /\(0028,0011\) US 6/);
        const raw = readFileSync(files[2].file);
        assert.ok(raw.subarray(raw.length - 96).equals(ctPixels(files[2])), "PixelData is the last element, as generated");
        const population = writeStudyPopulation(join(dir, "population"), 4);
        assert.equal(new Set(population.map((f) => f.studyUid)).size, 4);
        assert.equal(new Set(population.map((f) => f.patientId)).size, 4);
    });

    it("tells acknowledged C-STOREs from failed and unsent ones in storescu -v output", () => {
        const log = [
            "I: Sending file: /d/1.dcm",
            "I: Received Store Response (Success)",
            "I: Sending file: /d/2.dcm",
            "E: Store Failed, file: /d/2.dcm:",
            "I: Received Store Response (Error: Cannot understand)",
            "I: Sending file: /d/3.dcm",
        ].join("\n");
        assert.deepEqual(parseStoreLog(log, ["/d/1.dcm", "/d/2.dcm", "/d/3.dcm", "/d/4.dcm"]), {
            acknowledged: ["/d/1.dcm"],
            failed: ["/d/2.dcm", "/d/3.dcm", "/d/4.dcm"],
        });
        assert.deepEqual(slices([1, 2, 3, 4, 5], 2), [[1, 2], [3, 4, 5]]);
        assert.deepEqual(slices([1], 4), [[1]]);
    });

    it("renders the summary table and the chart from a report", () => {
        const run = (dataset: "large" | "small", associations: number, ips: number) => ({
            dataset,
            associations,
            instances: 10,
            bytes: 1e6,
            seconds: 1,
            instancesPerSecond: ips,
            megabytesPerSecond: 1,
        });
        const report: BenchReport = {
            generatedAt: "2026-01-01T00:00:00.000Z",
            command: "npm run bench",
            options: parseOptions(["--quick"]),
            machine: { cpuModel: "cpu", cpus: 2, memoryGiB: 1, kernel: "6", node: "v22", loadAverageStart: [0.1, 0.2, 0.3], loadAverageEnd: [0.1, 0.2, 0.3] },
            software: { orthanc: "1.10.1", postgresql: "15", dcmtk: "3.6.7" },
            datasets: { large: { instances: 10, rows: 512, columns: 512, bytesPerInstance: 525_000 }, small: { instances: 10, rows: 128, columns: 128, bytesPerInstance: 34_000 } },
            targets: [
                { id: "a", label: "storescp", description: "", tls: false, ingest: [run("large", 1, 100), run("small", 1, 400)] },
                {
                    id: "d",
                    label: "pacstack <tuned>",
                    description: "",
                    tls: true,
                    ingest: [run("large", 1, 50), run("small", 1, 200)],
                    qido: { studiesStored: 10, kinds: {}, overall: { p50Ms: 3, p95Ms: 9 } },
                    wadoMetadata: { instances: 5, firstMs: 10, p50Ms: 8, runs: 5 },
                },
            ],
            ratios: { "d/a": { "large@1": 0.5 } },
            durationSeconds: 1,
        };
        const summary = summaryMarkdown(report);
        assert.match(summary, /\| \(d\) pacstack <tuned> \| 50 \(1 MB\/s\) \| 200 \(1 MB\/s\) \| 3 \/ 9 \| 10 \(then 8\) \|/);
        const svg = renderChart(report);
        assert.match(svg, /^<svg /);
        assert.match(svg, /pacstack &lt;tuned&gt;, TLS/);
        assert.equal((svg.match(/<polyline /g) ?? []).length, 4, "one line per target and panel");
    });
});
