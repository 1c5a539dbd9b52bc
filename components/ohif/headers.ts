/**
 * Response headers for the viewer's own answers (HTML, scripts, WebAssembly). Everything the viewer loads comes
 * from the same origin (the DICOMweb roots are same-origin paths), so the policy allows 'self' only:
 * - script-src needs 'unsafe-inline' for the two inline scripts of OHIF's index.html (they set window.PUBLIC_URL,
 *   so their hashes depend on how the image was built) and 'wasm-unsafe-eval' for the image codecs (WebAssembly);
 * - workers are same-origin scripts or blob: URLs; images and fonts may be data: or blob: URLs;
 * - connect-src 'self' keeps study data from being sent to any other host.
 * Cross-origin isolation (COOP same-origin + COEP require-corp) gives OHIF SharedArrayBuffer for volume loading.
 * The browser test loads the real OHIF build under exactly these headers and fails on any CSP violation.
 */
export const VIEWER_CONTENT_SECURITY_POLICY = [
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
    "worker-src 'self' blob:",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self' data: blob:",
    "media-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
].join("; ");

export const VIEWER_RESPONSE_HEADERS = {
    contentSecurityPolicy: VIEWER_CONTENT_SECURITY_POLICY,
    custom: {
        "Cross-Origin-Embedder-Policy": "require-corp",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
    },
} as const;
