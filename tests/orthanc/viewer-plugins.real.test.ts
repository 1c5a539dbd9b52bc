import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { requireBinary } from "../harness/real/binaries";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { decodeRgbPng, encodeRgbPng, RgbImage } from "../harness/real/png";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";
import { ctPixels, SyntheticFile, writeCtStudy } from "../harness/real/synthetic";

/**
 * The Web viewer, WSI and Neuro plugins as pacstack loads them (orthanc.plugins: [webviewer, wsi, neuro]: their
 * paths and sections rendered), on Debian's orthanc-webviewer, orthanc-wsi and orthanc-neuro of each tier. Each
 * plugin is shown doing its job on data the test made, value for value: the Web viewer's slices of a CT series,
 * the NIfTI volume Neuro exports from it, and the tiles of a whole-slide image made by the WSI package's own
 * dicomizer from a picture the test drew.
 */
const SLIDE = { width: 512, height: 384, tile: 128 };

/** A picture whose every pixel differs from its neighbours in some channel, so a misplaced tile shows. */
function slidePicture(): RgbImage {
    const rgb = Buffer.alloc(SLIDE.width * SLIDE.height * 3);
    for (let y = 0; y < SLIDE.height; y++)
        for (let x = 0; x < SLIDE.width; x++) rgb.set([(x * 255) / SLIDE.width, (y * 255) / SLIDE.height, (x ^ y) & 0xff], 3 * (y * SLIDE.width + x));
    return { width: SLIDE.width, height: SLIDE.height, rgb };
}

/** Runs the WSI package's dicomizer (Debian 12's, on the host) on the picture: uncompressed tiles, full pyramid. */
function dicomizeSlide(dir: string, picture: RgbImage): string[] {
    mkdirSync(join(dir, "out"), { recursive: true });
    writeFileSync(join(dir, "slide.png"), encodeRgbPng(picture));
    const tile = String(SLIDE.tile);
    execFileSync(requireBinary("OrthancWSIDicomizer"), ["--folder", join(dir, "out"), "--compression", "none", "--pyramid", "1", "--tile-width", tile, "--tile-height", tile, join(dir, "slide.png")], { stdio: "ignore" });
    return readdirSync(join(dir, "out")).map((file) => join(dir, "out", file));
}

/** The values of the NIfTI-1 volume after its 352-byte header, with the header fields the test checks. */
function readNifti(file: Buffer) {
    assert.equal(file.readInt32LE(0), 348, "NIfTI-1 header size");
    assert.equal(file.toString("latin1", 344, 348), "n+1\0", "single-file NIfTI magic");
    const dims = [0, 1, 2, 3, 4].map((i) => file.readInt16LE(40 + 2 * i));
    const datatype = file.readInt16LE(70);
    const offset = file.readFloatLE(108);
    const [slope, intercept] = [file.readFloatLE(112), file.readFloatLE(116)];
    assert.ok(datatype === 512 || datatype === 4, `datatype ${datatype} (expected 16-bit integers)`);
    const values: number[] = [];
    for (let at = offset; at < file.length; at += 2) values.push(datatype === 512 ? file.readUInt16LE(at) : file.readInt16LE(at));
    return { dims, slope, intercept, values };
}

const sorted = (values: Iterable<number>) => [...values].sort((a, b) => a - b);
const uint16s = (buffer: Buffer) => Array.from({ length: buffer.length / 2 }, (_, i) => buffer.readUInt16LE(2 * i));

for (const tierId of ORTHANC_TIER_IDS)
    describe(`Orthanc plugins as pacstack renders them: Web viewer, WSI and Neuro (${tierId})`, function () {
        this.timeout(120_000);
        let stack: OrthancStack;
        let series: SyntheticFile[];
        let seriesId: string;

        before(async function () {
            this.timeout(15 * 60_000); // the sid tier's folder is built on first use
            const production = renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, plugins: ["webviewer", "wsi", "neuro"] });
            stack = await startOrthancStack({ tierId, production, name: `viewer-plugins-${tierId}` });
            series = writeCtStudy(join(stack.work, "ct"), { instances: 4, perSeries: 4, rows: 32, columns: 24 });
            for (const instance of series) {
                const stored = await stack.orthanc.request("/instances", { method: "POST", body: readFileSync(instance.file) });
                assert.equal(stored.status, 200, stored.body.toString());
                seriesId = (JSON.parse(stored.body.toString()) as { ParentSeries: string }).ParentSeries;
            }
        });

        after(async () => stack?.stop());

        const json = async (path: string) => {
            const answer = await stack.orthanc.request(path);
            assert.equal(answer.status, 200, `${path}: ${answer.body.toString()}`);
            return JSON.parse(answer.body.toString());
        };

        it("loads the three plugins from the rendered paths", async () => {
            const plugins = (await json("/plugins")) as string[];
            for (const id of ["web-viewer", "wsi", "neuro"]) assert.ok(plugins.includes(id), `plugins loaded: ${plugins.join(", ")}`);
        });

        it("Web viewer: lists the series' slices and serves each with the source's exact pixels", async () => {
            const listed = (await json(`/web-viewer/series/${seriesId}`)) as { Slices: string[] };
            assert.equal(listed.Slices.length, series.length);
            const seen = new Set<number>();
            for (const slice of listed.Slices) {
                const [instanceId, frame] = slice.split("_");
                const tags = (await json(`/instances/${instanceId}/simplified-tags`)) as { InstanceNumber: string };
                const source = series.find((s) => s.instanceNumber === Number(tags.InstanceNumber));
                assert.ok(source, `slice ${slice} is not one of the stored instances`);
                seen.add(source.instanceNumber);
                const image = (await json(`/web-viewer/instances/deflate-${instanceId}_${frame}`)) as { Orthanc: { PixelData: string }; width: number; height: number };
                assert.deepEqual([image.width, image.height], [source.columns, source.rows]);
                const pixels = inflateSync(Buffer.from(image.Orthanc.PixelData, "base64"));
                assert.deepEqual(uint16s(pixels), uint16s(ctPixels(source)), `slice ${source.instanceNumber}`);
            }
            assert.equal(seen.size, series.length, "every instance is a slice");
        });

        it("Neuro: exports the series as one NIfTI volume holding every slice's values and the rescale", async () => {
            const answer = await stack.orthanc.request(`/series/${seriesId}/nifti`);
            assert.equal(answer.status, 200, answer.body.toString());
            const volume = readNifti(answer.body);
            const { rows, columns } = series[0];
            assert.deepEqual(volume.dims.slice(0, 4), [3, columns, rows, series.length]);
            assert.deepEqual([volume.slope, volume.intercept], [1, -1024], "RescaleSlope and RescaleIntercept of the series");
            // NIfTI orders rows and slices by patient space, not as stored: compare each slice's values as a set.
            const sliceSize = rows * columns;
            const expected = series.map((s) => sorted(uint16s(ctPixels(s))).join()).sort();
            const exported = Array.from({ length: series.length }, (_, z) => sorted(volume.values.slice(z * sliceSize, (z + 1) * sliceSize)).join()).sort();
            assert.deepEqual(exported, expected);
        });

        it("WSI: serves the dicomized slide as a pyramid whose full-resolution tiles are the picture's pixels", async () => {
            const picture = slidePicture();
            let slideSeries = "";
            for (const file of dicomizeSlide(join(stack.work, "wsi"), picture)) {
                const stored = await stack.orthanc.request("/instances", { method: "POST", body: readFileSync(file) });
                assert.equal(stored.status, 200, stored.body.toString());
                slideSeries = (JSON.parse(stored.body.toString()) as { ParentSeries: string }).ParentSeries;
            }
            const pyramid = (await json(`/wsi/pyramids/${slideSeries}`)) as { TotalWidth: number; TotalHeight: number; TilesCount: number[][] };
            assert.deepEqual([pyramid.TotalWidth, pyramid.TotalHeight], [SLIDE.width, SLIDE.height]);
            assert.deepEqual(pyramid.TilesCount[0], [SLIDE.width / SLIDE.tile, SLIDE.height / SLIDE.tile]);
            for (const [tx, ty] of [[0, 0], [3, 2], [1, 2]]) {
                const tile = await stack.orthanc.request(`/wsi/tiles/${slideSeries}/0/${tx}/${ty}`);
                assert.equal(tile.status, 200, tile.body.toString());
                const image = decodeRgbPng(tile.body);
                assert.deepEqual([image.width, image.height], [SLIDE.tile, SLIDE.tile]);
                for (let y = 0; y < SLIDE.tile; y++) {
                    const row = (ty * SLIDE.tile + y) * SLIDE.width + tx * SLIDE.tile;
                    const expected = picture.rgb.subarray(3 * row, 3 * (row + SLIDE.tile));
                    assert.ok(image.rgb.subarray(3 * y * SLIDE.tile, 3 * (y + 1) * SLIDE.tile).equals(expected), `tile ${tx},${ty} row ${y} differs`);
                }
            }
        });
    });
