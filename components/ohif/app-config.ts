import { stableJson } from "../kube/metadata";

/** What the viewer needs to know about one archive's DICOMweb service. */
export interface OhifDataSourceInput {
    /** sourceName in OHIF, used in URLs (/viewer/<name>?StudyInstanceUIDs=...) and as defaultDataSourceName. */
    name: string;
    friendlyName: string;
    /** Which archive serves it: selects the DICOMweb settings that archive needs. */
    archive: "orthanc" | "dcm4chee";
    /** Same-origin path of the QIDO-RS/WADO-RS root, e.g. /dicom-web or /dcm4chee-arc/aets/DCM4CHEE/rs. */
    dicomWebPath: string;
    /** Same-origin path of the WADO-URI endpoint. */
    wadoUriPath: string;
}

export interface OhifAppConfigInput {
    /** Where the viewer is served: "/" or a prefix like "/viewer" (no trailing slash). */
    routerBasename: string;
    dataSources: OhifDataSourceInput[];
    /** sourceName of the data source the study list opens. */
    defaultDataSource: string;
}

/**
 * DICOMweb settings per archive (OHIF's deployment recipes for Orthanc and dcm4chee). Orthanc's QIDO-RS does not
 * support includefield=all; both archives answer multipart requests with unquoted types and support STOW-RS.
 */
export const ARCHIVE_DICOMWEB_SETTINGS: Record<OhifDataSourceInput["archive"], Record<string, unknown>> = {
    orthanc: {
        qidoSupportsIncludeField: false,
        supportsReject: false,
        supportsFuzzyMatching: false,
        supportsWildcard: true,
    },
    dcm4chee: {
        qidoSupportsIncludeField: true,
        supportsReject: true,
        supportsFuzzyMatching: true,
        supportsWildcard: true,
    },
};

const COMMON_DICOMWEB_SETTINGS = {
    dicomUploadEnabled: true,
    enableStudyLazyLoad: true,
    imageRendering: "wadors",
    omitQuotationForMultipartRequest: true,
    singlepart: "bulkdata,video",
    staticWado: false,
    thumbnailRendering: "wadors",
};

/** The plain-data part of window.config (everything but the origin-dependent URLs). */
export function ohifBaseConfig(input: OhifAppConfigInput): Record<string, unknown> {
    if (!input.dataSources.some((s) => s.name === input.defaultDataSource)) {
        throw new Error(`OHIF config: default data source ${input.defaultDataSource} is not one of ${input.dataSources.map((s) => s.name).join(", ")}`);
    }
    return {
        customizationService: {},
        defaultDataSourceName: input.defaultDataSource,
        extensions: [],
        maxNumberOfWebWorkers: 3,
        modes: [],
        routerBasename: input.routerBasename,
        showCPUFallbackMessage: true,
        showLoadingIndicator: true,
        showStudyList: true,
        // Every data source is on the viewer's own origin.
        showWarningMessageForCrossOrigin: false,
        strictZSpacingForVolumeViewport: true,
    };
}

/**
 * app-config.js: `window.config` with one DICOMweb data source per archive. URLs are built in the browser from
 * window.location.origin and the same-origin paths of the route table, so the file names no host and works on
 * any cluster, port or domain. BulkDataURIs an archive returns as absolute URLs (Orthanc builds them from its
 * configured public host) are moved onto the page's origin, where the route table serves the same paths.
 */
export function renderOhifAppConfig(input: OhifAppConfigInput): string {
    const base = ohifBaseConfig(input);
    const sources = input.dataSources.map((source) => ({
        name: source.name,
        friendlyName: source.friendlyName,
        dicomWebPath: source.dicomWebPath,
        wadoUriPath: source.wadoUriPath,
        settings: { ...COMMON_DICOMWEB_SETTINGS, ...ARCHIVE_DICOMWEB_SETTINGS[source.archive] },
    }));
    return [
        "/** Rendered by pacstack (components/ohif/app-config.ts); do not edit in the pod. */",
        "window.config = (function () {",
        "  var origin = window.location.origin;",
        "  var onThisOrigin = function (url) { return url.replace(/^https?:\\/\\/[^/]+/, origin); };",
        `  var sources = ${stableJson(sources).trim().replace(/\n/g, "\n  ")};`,
        `  var config = ${stableJson(base).trim().replace(/\n/g, "\n  ")};`,
        "  config.dataSources = sources.map(function (source) {",
        "    var configuration = Object.assign({}, source.settings, {",
        "      name: source.name,",
        "      friendlyName: source.friendlyName,",
        "      qidoRoot: origin + source.dicomWebPath,",
        "      wadoRoot: origin + source.dicomWebPath,",
        "      wadoUriRoot: origin + source.wadoUriPath,",
        "      bulkDataURI: { enabled: true, relativeResolution: 'studies', transform: onThisOrigin },",
        "    });",
        "    return { namespace: '@ohif/extension-default.dataSourcesModule.dicomweb', sourceName: source.name, configuration: configuration };",
        "  });",
        "  return config;",
        "})();",
        "",
    ].join("\n");
}
