import { extraConfigProblems } from "../orthanc/extra-config";
import {
    DEFAULT_ORTHANC_PLUGINS,
    ORTHANC_PLUGIN_CATALOGUE,
    ORTHANC_PLUGIN_NAMES,
    OrthancPluginName,
    REFUSED_ORTHANC_PLUGINS,
    imageCarriesPlugin,
} from "../orthanc/plugins";
import { ImageRef, imageReference } from "./image";

/**
 * orthanc.plugins as validated: known names, no duplicates, each carried by the image. When the stack does not set
 * it (`given` undefined), the default plugins the image carries.
 */
export function parseOrthancPlugins(given: unknown, where: string, image: ImageRef | undefined): { plugins: OrthancPluginName[]; problems: string[] } {
    if (given === undefined) {
        return { plugins: DEFAULT_ORTHANC_PLUGINS.filter((name) => !image || imageCarriesPlugin(image, name)), problems: [] };
    }
    const show = JSON.stringify;
    if (!Array.isArray(given) || !given.every((name) => typeof name === "string")) {
        return { plugins: [], problems: [`${where} = ${show(given)}: must be a list of plugin names from ${ORTHANC_PLUGIN_NAMES.join(", ")}`] };
    }
    const problems: string[] = [];
    const plugins: OrthancPluginName[] = [];
    for (const name of given as string[]) {
        if (name in REFUSED_ORTHANC_PLUGINS) {
            problems.push(`${where} = ${show(given)}: ${show(name)} is not loaded by name (${REFUSED_ORTHANC_PLUGINS[name]}); allowed are ${ORTHANC_PLUGIN_NAMES.join(", ")}`);
        } else if (!(ORTHANC_PLUGIN_NAMES as string[]).includes(name)) {
            problems.push(`${where} = ${show(given)}: unknown plugin ${show(name)}; allowed are ${ORTHANC_PLUGIN_NAMES.join(", ")}`);
        } else if (plugins.includes(name as OrthancPluginName)) {
            problems.push(`${where} = ${show(given)}: ${show(name)} is listed twice`);
        } else if (image && !imageCarriesPlugin(image, name as OrthancPluginName)) {
            problems.push(
                `${where} = ${show(given)}: ${show(name)} is in orthancteam/orthanc images from ${ORTHANC_PLUGIN_CATALOGUE[name as OrthancPluginName].since} on, ` +
                    `and ${imageReference(image)} is older; use a newer orthanc.image or leave ${show(name)} out`,
            );
        } else {
            plugins.push(name as OrthancPluginName);
        }
    }
    return { plugins, problems };
}

/** orthanc.extraConfig as validated (components/orthanc/extra-config.ts has the rules). */
export function parseOrthancExtraConfig(given: unknown, where: string): { extraConfig: Record<string, unknown>; problems: string[] } {
    const problems = extraConfigProblems(given, where);
    return { extraConfig: problems.length === 0 ? (given as Record<string, unknown>) : {}, problems };
}
