import { CERTIFICATE_AND_KEY_FILE } from "../certificates/plan";
import { OrthancConfigInput, orthancJson, renderOrthancConfig } from "./config";
import { renderForwardingScript } from "./forwarding";
import { CONFIG_FILE, FORWARDING_SCRIPT_FILE, ORTHANC_MOUNTS, ORTHANC_PLUGIN_DIR, ORTHANC_PLUGINS, PEER_CA_FILE, TRUSTED_MODALITIES_FILE } from "./paths";
import { renderPeerCaBundle } from "./peers";
import { pluginLibraries } from "./plugins";

export type DeployedOrthancInput = Pick<
    OrthancConfigInput,
    | "name"
    | "aeTitle"
    | "replicas"
    | "publicAuthority"
    | "maxRequestBodyMiB"
    | "database"
    | "modalities"
    | "plugins"
    | "extraConfig"
    | "peers"
    | "forwarding"
    | "stableAgeSeconds"
    | "maximumStorageMiB"
>;

/** The configuration exactly as the Orthanc pod mounts it: image paths and pod mount points filled in. */
export function renderDeployedOrthancConfig(input: DeployedOrthancInput): Record<string, unknown> {
    return renderOrthancConfig({
        ...input,
        paths: {
            storage: ORTHANC_MOUNTS.storage,
            plugins: [...ORTHANC_PLUGINS, ...pluginLibraries(input.plugins ?? [])].map((plugin) => `${ORTHANC_PLUGIN_DIR}/${plugin}`),
            dicomTlsCertificate: `${ORTHANC_MOUNTS.dicomTls}/tls.crt`,
            dicomTlsPrivateKey: `${ORTHANC_MOUNTS.dicomTls}/tls.key`,
            dicomTlsTrustedCertificates: `${ORTHANC_MOUNTS.config}/${TRUSTED_MODALITIES_FILE}`,
            httpsCertificate: `${ORTHANC_MOUNTS.httpsTls}/${CERTIFICATE_AND_KEY_FILE}`,
            forwardingScript: `${ORTHANC_MOUNTS.config}/${FORWARDING_SCRIPT_FILE}`,
            peerCertificateAuthorities: `${ORTHANC_MOUNTS.config}/${PEER_CA_FILE}`,
        },
    });
}

/**
 * Every file of the configuration ConfigMap: orthanc.json, the modalities' certificates DICOM TLS trusts, and the
 * forwarding script and the peers' CA file when there are any.
 */
export function renderDeployedOrthancFiles(input: DeployedOrthancInput & { trustedModalitiesPem?: string }): Record<string, string> {
    const script = renderForwardingScript(input.forwarding ?? []);
    const cas = renderPeerCaBundle(input.peers ?? []);
    return {
        [CONFIG_FILE]: orthancJson(renderDeployedOrthancConfig(input)),
        ...(script ? { [FORWARDING_SCRIPT_FILE]: script } : {}),
        ...(cas ? { [PEER_CA_FILE]: cas } : {}),
        ...(input.trustedModalitiesPem ? { [TRUSTED_MODALITIES_FILE]: input.trustedModalitiesPem } : {}),
    };
}
