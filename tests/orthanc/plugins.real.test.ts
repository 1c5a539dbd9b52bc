import assert from "node:assert/strict";
import { join } from "node:path";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { store } from "../harness/real/dicom";
import { Jpeg2000Instance, JPEG2000_LOSSLESS, writeJpeg2000Instance } from "../harness/real/jpeg2000";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { decodeGrayPng } from "../harness/real/png";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";

/**
 * The GDCM plugin as pacstack loads it (orthanc.plugins: [gdcm], its path and "Gdcm" section rendered), on Debian's
 * orthanc-gdcm: a modality stores a lossless JPEG 2000 CT image over DICOM TLS, and Orthanc renders its frame with
 * exactly the pixels the codestream was made from. The same Orthanc without the plugin cannot render it (Debian's
 * DCMTK has no JPEG 2000 decoder), which shows that the plugin is what does it.
 */
for (const tierId of ORTHANC_TIER_IDS)
    describe(`Orthanc plugins as pacstack renders them: GDCM decodes JPEG 2000 (${tierId})`, function () {
        this.timeout(120_000);
        const stacks: OrthancStack[] = [];
        let withGdcm: OrthancStack;
        let withoutGdcm: OrthancStack;
        let instance: Jpeg2000Instance;

        before(async function () {
            this.timeout(15 * 60_000); // the sid tier's folder is built on first use
            const production = renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, plugins: ["gdcm"] });
            withGdcm = await startOrthancStack({ tierId, production, name: `gdcm-${tierId}` });
            stacks.push(withGdcm);
            withoutGdcm = await startOrthancStack({ tierId, production: renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT), name: `no-gdcm-${tierId}`, pki: withGdcm.pki });
            stacks.push(withoutGdcm);
            instance = writeJpeg2000Instance(join(withGdcm.work, "j2k"));
        });

        after(async () => {
            for (const stack of stacks) await stack.stop();
        });

        /** Stores the JPEG 2000 file over DICOM TLS and returns Orthanc's id of the instance. */
        async function storeJpeg2000(stack: OrthancStack): Promise<string> {
            // -xv: propose JPEG 2000 lossless, so the modality sends the file as it is (no decoder needed on its side).
            const sent = await store(stack.association(), [instance.file], ["-xv"]);
            assert.equal(sent.code, 0, sent.output);
            const found = await stack.orthanc.request("/tools/lookup", { method: "POST", body: instance.sopUid });
            const [match] = JSON.parse(found.body.toString()) as { ID: string; Type: string }[];
            assert.equal(match?.Type, "Instance");
            return match.ID;
        }

        it("loads the plugin from the rendered path", async () => {
            const plugins = JSON.parse((await withGdcm.orthanc.request("/plugins")).body.toString()) as string[];
            assert.ok(plugins.includes("gdcm"), `plugins loaded: ${plugins.join(", ")}`);
            const without = JSON.parse((await withoutGdcm.orthanc.request("/plugins")).body.toString()) as string[];
            assert.equal(without.includes("gdcm"), false);
        });

        it("stores the JPEG 2000 instance as sent and renders its frame with the source's exact pixels", async () => {
            const id = await storeJpeg2000(withGdcm);
            const syntax = await withGdcm.orthanc.request(`/instances/${id}/metadata/TransferSyntax`);
            assert.equal(syntax.body.toString(), JPEG2000_LOSSLESS);
            const rendered = await withGdcm.orthanc.request(`/instances/${id}/frames/0/image-uint16`, { headers: { Accept: "image/png" } });
            assert.equal(rendered.status, 200, rendered.body.toString());
            const image = decodeGrayPng(rendered.body);
            assert.deepEqual([image.width, image.height, image.bitDepth], [instance.columns, instance.rows, 16]);
            const differing = image.samples.filter((value, i) => value !== instance.pixels[i]).length;
            assert.equal(differing, 0, `${differing} of ${instance.pixels.length} pixels differ from the source`);
            // The preview a UI shows (8 bits, scaled to the frame's range): same size, and the scaling keeps the order
            // of every pair of source values.
            const preview = decodeGrayPng((await withGdcm.orthanc.request(`/instances/${id}/frames/0/preview`, { headers: { Accept: "image/png" } })).body);
            assert.deepEqual([preview.width, preview.height], [instance.columns, instance.rows]);
            const darkest = instance.pixels.indexOf(Math.min(...instance.pixels));
            const brightest = instance.pixels.indexOf(Math.max(...instance.pixels));
            assert.deepEqual([preview.samples[darkest], preview.samples[brightest]], [0, 255]);
            for (let i = 1; i < instance.pixels.length; i++) {
                if (instance.pixels[i] > instance.pixels[i - 1]) assert.ok(preview.samples[i] >= preview.samples[i - 1], `preview pixel ${i} out of order`);
            }
        });

        it("without the plugin, the same Orthanc stores the instance but cannot render it", async () => {
            const id = await storeJpeg2000(withoutGdcm);
            const rendered = await withoutGdcm.orthanc.request(`/instances/${id}/frames/0/image-uint16`, { headers: { Accept: "image/png" } });
            // The instance exists (looked up above): the failure is the decoder's, not a missing resource.
            assert.ok(rendered.status >= 400 && rendered.status !== 404, `rendered without GDCM: ${rendered.status}`);
        });
    });
