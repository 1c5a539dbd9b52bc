import { ImageRef } from "../config/image";

/**
 * The optional plugins of the orthancteam/orthanc image that pacstack can load, by the name a stack uses. Library
 * names and folder are the image's (orthanc-builder, docker/orthanc/Dockerfile and plugins-def.json at tag 26.6.1:
 * every plugin is copied to /usr/share/orthanc/plugins-available/). pacstack starts Orthanc without the image's
 * configurator, so nothing is loaded unless its path is in `Plugins`, and the configurator's defaults for a
 * plugin's section (plugins-def.json "nonStandardDefaults") are rendered here instead.
 */
export interface OrthancPluginSpec {
    /** Shared libraries, in the image's plugin folder. */
    libraries: string[];
    /** The plugin's configuration section as pacstack renders it (deep-merged below orthanc.extraConfig). */
    section?: { key: string; value: Record<string, unknown> };
    /** First orthancteam/orthanc release (YY.M.P) carrying it (the image's release notes, "added ... plugin"). */
    since: string;
    /** One line for the README and messages. */
    description: string;
}

/** JPEG 2000 transfer syntaxes (lossless, lossy, Part 2 lossless, Part 2): the image hands these to GDCM. */
export const JPEG2000_TRANSFER_SYNTAXES = ["1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93"];

export const ORTHANC_PLUGIN_CATALOGUE = {
    explorer2: {
        libraries: ["libOrthancExplorer2.so"],
        // Served under Orthanc's own root (/ui/app/, redirected to from /, relatively): behind the /orthanc route
        // and its login like the rest of the REST API, so the edge needs no route of its own.
        section: { key: "OrthancExplorer2", value: { Enable: true, IsDefaultOrthancUI: true, Root: "/ui/" } },
        since: "22.5.2",
        description: "Orthanc Explorer 2, the administration UI at /orthanc/ (replaces the legacy Orthanc Explorer)",
    },
    gdcm: {
        libraries: ["libOrthancGdcm.so"],
        // The image's defaults: GDCM decodes and transcodes JPEG 2000; the other compressed syntaxes (JPEG,
        // JPEG-LS, RLE) stay with Orthanc's built-in DCMTK, which handles them.
        section: { key: "Gdcm", value: { Enable: true, Throttling: 4, RestrictTransferSyntaxes: JPEG2000_TRANSFER_SYNTAXES } },
        since: "20.5.3",
        description: "GDCM decoder/transcoder: JPEG 2000 images are rendered, transcoded and served to viewers",
    },
    stone: { libraries: ["libStoneWebViewer.so"], since: "20.12.0", description: "Stone Web viewer at /orthanc/stone-webviewer/" },
    ohif: { libraries: ["libOrthancOHIF.so"], since: "23.6.1", description: "OHIF served by Orthanc at /orthanc/ohif/ (pacstack's own viewer stays at its path)" },
    volview: { libraries: ["libOrthancVolView.so"], since: "23.3.4", description: "Kitware's VolView at /orthanc/volview/" },
    webviewer: { libraries: ["libOrthancWebViewer.so"], since: "17.10.0", description: "the Orthanc Web viewer" },
    wsi: { libraries: ["libOrthancWSI.so"], since: "17.10.0", description: "whole-slide imaging viewer (digital pathology)" },
    stl: { libraries: ["libOrthancSTL.so"], section: { key: "STL", value: { Enable: true } }, since: "24.4.0", description: "3D models (STL) in DICOM" },
    neuro: { libraries: ["libOrthancNeuro.so"], section: { key: "Neuro", value: { Enable: true } }, since: "22.4.0", description: "NIfTI export for neuroimaging" },
    housekeeper: {
        libraries: ["libHousekeeper.so"],
        section: { key: "Housekeeper", value: { Enable: true } },
        since: "22.5.0",
        description: "rebuilds the database's main tags after an Orthanc upgrade, in the background",
    },
} as const satisfies Record<string, OrthancPluginSpec>;

export type OrthancPluginName = keyof typeof ORTHANC_PLUGIN_CATALOGUE;
export const ORTHANC_PLUGIN_NAMES = Object.keys(ORTHANC_PLUGIN_CATALOGUE) as OrthancPluginName[];

/** The plugins a stack gets when orthanc.plugins is not set: those of them the image carries. */
export const DEFAULT_ORTHANC_PLUGINS: OrthancPluginName[] = ["explorer2", "gdcm"];

/**
 * Image plugins pacstack does not load by name, and why. Anything else that is not in the catalogue is unknown.
 * (PostgreSQL and DICOMweb are always loaded.)
 */
export const REFUSED_ORTHANC_PLUGINS: Record<string, string> = {
    postgresql: "always loaded: pacstack's index is PostgreSQL",
    dicomweb: "always loaded: the viewer reads Orthanc through DICOMweb",
    mysql: "would move the index away from pacstack's PostgreSQL",
    odbc: "would move the index away from pacstack's PostgreSQL",
    python: "runs scripts from files pacstack does not mount; no code is loaded into Orthanc from configuration",
    java: "runs code from files pacstack does not mount, and is only in the -full image",
    authorization: "needs an authorization web service (it comes with single sign-on)",
    "multitenant-dicom": "opens further DICOM listeners that the edge and the NetworkPolicies do not publish",
    "aws-s3": "would move the DICOM files off the retained volume",
    "azure-blob": "would move the DICOM files off the retained volume",
    "google-cloud": "would move the DICOM files off the retained volume",
    "advanced-storage": "changes the layout of the DICOM files on the retained volume",
    "serve-folders": "serves folders of the container's file system over HTTP",
    tcia: "downloads from the Internet, which pacstack's NetworkPolicies do not allow",
};

/** The image's release as [year, month, patch] when it is an orthancteam/orthanc tag (also a mirror's); else undefined. */
export function orthancImageRelease(image: ImageRef): [number, number, number] | undefined {
    if (!/(^|\/)orthancteam\/orthanc$/.test(image.repository)) return undefined;
    const match = /^(\d+)\.(\d+)\.(\d+)(-full)?$/.exec(image.tag);
    return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

/**
 * Whether the image carries the plugin: an orthancteam/orthanc release from the plugin's `since` on. An image pinned
 * by digest, or built elsewhere, cannot be told apart here and is taken to carry it (its pods then fail to start
 * with Orthanc naming the missing file).
 */
export function imageCarriesPlugin(image: ImageRef, plugin: OrthancPluginName): boolean {
    const release = orthancImageRelease(image);
    if (!release) return true;
    const since = ORTHANC_PLUGIN_CATALOGUE[plugin].since.split(".").map(Number);
    for (let i = 0; i < 3; i++) {
        if (release[i] !== since[i]) return release[i] > since[i];
    }
    return true;
}

/** Library file names of the selection, in catalogue order (stable whatever order the stack lists them in). */
export function pluginLibraries(plugins: readonly OrthancPluginName[]): string[] {
    return ORTHANC_PLUGIN_NAMES.filter((name) => plugins.includes(name)).flatMap((name) => [...ORTHANC_PLUGIN_CATALOGUE[name].libraries]);
}

/** The configuration sections of the selected plugins. */
export function renderPluginSections(plugins: readonly OrthancPluginName[]): Record<string, unknown> {
    const sections: Record<string, unknown> = {};
    for (const name of ORTHANC_PLUGIN_NAMES.filter((n) => plugins.includes(n))) {
        const spec: OrthancPluginSpec = ORTHANC_PLUGIN_CATALOGUE[name];
        if (spec.section) sections[spec.section.key] = structuredClone(spec.section.value);
    }
    return sections;
}
