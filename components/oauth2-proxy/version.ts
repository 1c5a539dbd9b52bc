/**
 * The oauth2-proxy release pacstack deploys. The chart is the project's own (oauth2-proxy/manifests); its
 * appVersion is 7.15.3, and pacstack pins the image to the newer patch release v7.15.6, the one the real-software
 * tests build from the Go module `github.com/oauth2-proxy/oauth2-proxy/v7` (tests/tools/oauth2-proxy/go.mod).
 */
export const OAUTH2_PROXY_CHART = "oauth2-proxy";
export const OAUTH2_PROXY_REPOSITORY = "https://oauth2-proxy.github.io/manifests";
export const OAUTH2_PROXY_CHART_VERSION = "10.7.0";
export const OAUTH2_PROXY_VERSION = "v7.15.6";
export const OAUTH2_PROXY_IMAGE = `quay.io/oauth2-proxy/oauth2-proxy:${OAUTH2_PROXY_VERSION}`;
