import { CERTIFICATE_AND_KEY_FILE } from "../certificates/plan";
import { OrthancConfigInput, renderOrthancConfig } from "./config";
import { ORTHANC_MOUNTS, ORTHANC_PLUGIN_DIR, ORTHANC_PLUGINS } from "./paths";
import { pluginLibraries } from "./plugins";

export type DeployedOrthancInput = Pick<OrthancConfigInput, "name" | "aeTitle" | "replicas" | "publicAuthority" | "maxRequestBodyMiB" | "database" | "modalities" | "plugins" | "extraConfig">;

/** The configuration exactly as the Orthanc pod mounts it: image paths and pod mount points filled in. */
export function renderDeployedOrthancConfig(input: DeployedOrthancInput): Record<string, unknown> {
    return renderOrthancConfig({
        ...input,
        paths: {
            storage: ORTHANC_MOUNTS.storage,
            plugins: [...ORTHANC_PLUGINS, ...pluginLibraries(input.plugins ?? [])].map((plugin) => `${ORTHANC_PLUGIN_DIR}/${plugin}`),
            dicomTlsCertificate: `${ORTHANC_MOUNTS.dicomTls}/tls.crt`,
            dicomTlsPrivateKey: `${ORTHANC_MOUNTS.dicomTls}/tls.key`,
            dicomTlsTrustedCertificates: `${ORTHANC_MOUNTS.dicomTls}/ca.crt`,
            httpsCertificate: `${ORTHANC_MOUNTS.httpsTls}/${CERTIFICATE_AND_KEY_FILE}`,
        },
    });
}
