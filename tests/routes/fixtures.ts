/** The edge settings the route tests render with (as the Platform passes them for the default stack). */
export const EDGE = {
    name: "pacstack-routes",
    namespace: "pacstack",
    domain: "pacs.example.org",
    webEntryPoint: "websecure",
    tlsSecretName: "pacstack-web-tls",
    uploadLimitMiB: 2048,
    authSecretName: "pacstack-routes-web-users",
};
