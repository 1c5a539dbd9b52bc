import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { OhifAppConfigInput, renderOhifAppConfig } from "../../components/ohif/app-config";
import { LEAF_SETTINGS } from "../../components/config/schema";
import { archivePaths } from "../../components/dcm4chee/paths";
import { ORTHANC_WEB_PATHS } from "../../components/orthanc/publication";
import { OHIF_APP } from "../harness/browser/ohif-dist";

const paths = { orthanc: ORTHANC_WEB_PATHS, dcm4chee: archivePaths("DCM4CHEE") };
const both: OhifAppConfigInput = {
    routerBasename: "/",
    dataSources: [
        { name: "orthanc", friendlyName: "Orthanc", archive: "orthanc", dicomWebPath: paths.orthanc.dicomWeb, wadoUriPath: paths.orthanc.wadoUri },
        { name: "dcm4chee", friendlyName: "dcm4chee", archive: "dcm4chee", dicomWebPath: paths.dcm4chee.dicomWeb, wadoUriPath: paths.dcm4chee.wadoUri },
    ],
    defaultDataSource: "dcm4chee",
};

/** Runs app-config.js as the browser would, on a page at `origin`, and returns window.config. */
function load(script: string, origin = "https://pacs.example.org:30443"): any {
    const window: Record<string, unknown> = { location: { origin } };
    runInNewContext(script, { window });
    return window.config;
}

describe("ohif: app-config.js", () => {
    it("defines one same-origin DICOMweb data source per archive, built from the page's origin", () => {
        const config = load(renderOhifAppConfig(both));
        assert.deepEqual(
            // JSON round trip: arrays made in the vm context have another Array prototype.
            JSON.parse(JSON.stringify(config.dataSources.map((s: any) => [s.sourceName, s.configuration.qidoRoot, s.configuration.wadoRoot, s.configuration.wadoUriRoot]))),
            [
                ["orthanc", "https://pacs.example.org:30443/dicom-web", "https://pacs.example.org:30443/dicom-web", "https://pacs.example.org:30443/orthanc/wado"],
                [
                    "dcm4chee",
                    "https://pacs.example.org:30443/dcm4chee-arc/aets/DCM4CHEE/rs",
                    "https://pacs.example.org:30443/dcm4chee-arc/aets/DCM4CHEE/rs",
                    "https://pacs.example.org:30443/dcm4chee-arc/aets/DCM4CHEE/wado",
                ],
            ],
        );
        assert.ok(config.dataSources.every((s: any) => s.namespace === "@ohif/extension-default.dataSourcesModule.dicomweb"));
        assert.equal(config.defaultDataSourceName, "dcm4chee");
        assert.equal(config.routerBasename, "/");
        assert.equal(config.showStudyList, true);
    });

    it("names no host: the same file works on any domain or port", () => {
        const script = renderOhifAppConfig(both);
        assert.doesNotMatch(script, /https?:\/\/[a-z0-9]/i);
        assert.equal(load(script, "https://other.example.net").dataSources[0].configuration.qidoRoot, "https://other.example.net/dicom-web");
    });

    it("gives each archive the settings it needs (OHIF's Orthanc and dcm4chee recipes)", () => {
        const [orthanc, dcm4chee] = load(renderOhifAppConfig(both)).dataSources.map((s: any) => s.configuration);
        assert.equal(orthanc.qidoSupportsIncludeField, false);
        assert.equal(dcm4chee.qidoSupportsIncludeField, true);
        assert.equal(dcm4chee.supportsReject, true);
        for (const source of [orthanc, dcm4chee]) {
            assert.equal(source.supportsWildcard, true);
            assert.equal(source.imageRendering, "wadors");
            assert.equal(source.staticWado, false);
            assert.equal(source.omitQuotationForMultipartRequest, true);
            assert.equal(source.bulkDataURI.enabled, true);
        }
    });

    it("moves absolute BulkDataURIs an archive returns onto the page's origin", () => {
        const source = load(renderOhifAppConfig(both), "https://pacs.example.org:30443").dataSources[0].configuration;
        assert.equal(
            source.bulkDataURI.transform("https://pacs.example.org/dicom-web/studies/1/series/2/instances/3/bulk/7fe00010"),
            "https://pacs.example.org:30443/dicom-web/studies/1/series/2/instances/3/bulk/7fe00010",
        );
        assert.equal(source.bulkDataURI.transform("bulk/relative"), "bulk/relative");
    });

    it("serves under a prefix with the matching routerBasename", () => {
        assert.equal(load(renderOhifAppConfig({ ...both, routerBasename: "/viewer" })).routerBasename, "/viewer");
    });

    it("is deterministic and refuses a default data source that does not exist", () => {
        assert.equal(renderOhifAppConfig(both), renderOhifAppConfig(both));
        assert.throws(() => renderOhifAppConfig({ ...both, defaultDataSource: "pacsone" }), /default data source pacsone is not one of orthanc, dcm4chee/);
    });

    it("pins the ohif/app image to the @ohif/app version the browser test serves", () => {
        assert.equal(LEAF_SETTINGS.ohifImage.default, `docker.io/ohif/app:v${OHIF_APP.version}`);
    });
});
