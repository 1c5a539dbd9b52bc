import assert from "node:assert/strict";
import { parseImage } from "../../components/config/image";
import { validatePlatformConfig } from "../../components/config/validate";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { ORTHANC_PLUGIN_DIR } from "../../components/orthanc/paths";
import { JPEG2000_TRANSFER_SYNTAXES, imageCarriesPlugin, orthancImageRelease, pluginLibraries, renderPluginSections } from "../../components/orthanc/plugins";
import { problemsOf, valid } from "../config/problems";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";

const image = (reference: string) => parseImage(reference)!;

describe("orthanc: plugins", () => {
    it("loads PostgreSQL and DICOMweb always, the selected plugins by the image's paths, in catalogue order", () => {
        const config = renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, plugins: ["gdcm", "stone", "explorer2"] });
        assert.deepEqual(config.Plugins, [
            `${ORTHANC_PLUGIN_DIR}/libOrthancPostgreSQLIndex.so`,
            `${ORTHANC_PLUGIN_DIR}/libOrthancDicomWeb.so`,
            `${ORTHANC_PLUGIN_DIR}/libOrthancExplorer2.so`,
            `${ORTHANC_PLUGIN_DIR}/libOrthancGdcm.so`,
            `${ORTHANC_PLUGIN_DIR}/libStoneWebViewer.so`,
        ]);
        assert.equal(ORTHANC_PLUGIN_DIR, "/usr/share/orthanc/plugins-available");
        assert.deepEqual(pluginLibraries([]), []);
    });

    it("renders the sections the image's configurator would: Orthanc Explorer 2 as the default UI, GDCM for JPEG 2000", () => {
        const config = renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, plugins: ["explorer2", "gdcm"] });
        assert.deepEqual(config.OrthancExplorer2, { Enable: true, IsDefaultOrthancUI: true, Root: "/ui/" });
        assert.deepEqual(config.Gdcm, { Enable: true, Throttling: 4, RestrictTransferSyntaxes: JPEG2000_TRANSFER_SYNTAXES });
        assert.deepEqual(JPEG2000_TRANSFER_SYNTAXES, ["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93"]);
        // No section for a plugin that is not loaded, none for one that needs none.
        const none = renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT);
        assert.equal(none.OrthancExplorer2, undefined);
        assert.equal(none.Gdcm, undefined);
        assert.deepEqual(renderPluginSections(["stone", "ohif"]), {});
        // Sections are copies: changing one rendered document leaves the next one alone.
        (renderPluginSections(["gdcm"]).Gdcm as { RestrictTransferSyntaxes: string[] }).RestrictTransferSyntaxes.push("x");
        assert.equal(JPEG2000_TRANSFER_SYNTAXES.length, 4);
    });

    it("tells which orthancteam releases carry a plugin (mirrors and -full tags too; other images are trusted)", () => {
        assert.deepEqual(orthancImageRelease(image("docker.io/orthancteam/orthanc:26.6.1")), [26, 6, 1]);
        assert.deepEqual(orthancImageRelease(image("registry.example.org/mirror/orthancteam/orthanc:26.6.1-full")), [26, 6, 1]);
        assert.equal(orthancImageRelease(image("docker.io/jodogne/orthanc-plugins:1.12.11")), undefined);
        assert.equal(imageCarriesPlugin(image("docker.io/orthancteam/orthanc:22.5.2"), "explorer2"), true);
        assert.equal(imageCarriesPlugin(image("docker.io/orthancteam/orthanc:22.5.1"), "explorer2"), false);
        assert.equal(imageCarriesPlugin(image("docker.io/orthancteam/orthanc:21.12.0"), "explorer2"), false);
        assert.equal(imageCarriesPlugin(image("docker.io/orthancteam/orthanc:24.4.0"), "stl"), true);
        assert.equal(imageCarriesPlugin(image("docker.io/orthancteam/orthanc:24.3.9"), "stl"), false);
        assert.equal(imageCarriesPlugin(image(`docker.io/orthancteam/orthanc@sha256:${"a".repeat(64)}`), "stl"), true);
    });

    it("defaults to Orthanc Explorer 2 and GDCM, leaving out what the image does not carry", () => {
        assert.deepEqual(validatePlatformConfig(valid).orthanc.plugins, ["explorer2", "gdcm"]);
        const old = validatePlatformConfig({ ...valid, orthanc: { image: "docker.io/orthancteam/orthanc:22.4.0" } });
        assert.deepEqual(old.orthanc.plugins, ["gdcm"]);
        assert.deepEqual(validatePlatformConfig({ ...valid, orthanc: { plugins: [] } }).orthanc.plugins, []);
        // Pulumi hands a list over as JSON text.
        assert.deepEqual(validatePlatformConfig({ ...valid, orthanc: JSON.stringify({ plugins: ["wsi", "gdcm"] }) }).orthanc.plugins, ["wsi", "gdcm"]);
    });

    it("refuses unknown, refused, duplicate and too-new plugins, each naming the setting, the value and what is allowed", () => {
        const [unknown] = problemsOf({ ...valid, orthanc: { plugins: ["gdmc"] } });
        assert.match(unknown, /^pacstack:orthanc\.plugins = \["gdmc"\]: unknown plugin "gdmc"; allowed are explorer2, gdcm, stone/);
        const [python] = problemsOf({ ...valid, orthanc: { plugins: ["python"] } });
        assert.match(python, /"python" is not loaded by name \(runs scripts from files pacstack does not mount/);
        const [storage] = problemsOf({ ...valid, orthanc: { plugins: ["aws-s3"] } });
        assert.match(storage, /would move the DICOM files off the retained volume/);
        const [twice] = problemsOf({ ...valid, orthanc: { plugins: ["gdcm", "gdcm"] } });
        assert.match(twice, /"gdcm" is listed twice/);
        const [tooNew] = problemsOf({ ...valid, orthanc: { plugins: ["explorer2"], image: "docker.io/orthancteam/orthanc:22.4.0" } });
        assert.match(tooNew, /"explorer2" is in orthancteam\/orthanc images from 22\.5\.2 on, and docker\.io\/orthancteam\/orthanc:22\.4\.0 is older/);
        const [notList] = problemsOf({ ...valid, orthanc: { plugins: "gdcm" } });
        assert.equal(notList, 'pacstack:orthanc.plugins = "gdcm": must be a list of strings');
        // Added after the grouping: no flat name.
        const [flat] = problemsOf({ ...valid, orthancPlugins: ["gdcm"] });
        assert.match(flat, /^pacstack:orthancPlugins = \["gdcm"\]: unknown setting; .*\(did you mean pacstack:orthanc\.plugins\?\)$/);
    });
});
