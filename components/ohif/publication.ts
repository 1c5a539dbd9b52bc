import { Publication, Workload, publication } from "../publish/published";
import { VIEWER_RESPONSE_HEADERS } from "./headers";
import { OHIF_HTTP_PORT } from "./paths";

/**
 * What the viewer publishes: its path ("/" is the catch-all) with its content security policy and cross-origin
 * isolation, and a redirect from / when it is served under a prefix. The image serves its web root at
 * PUBLIC_URL = the viewer's path, so the prefix is kept.
 */
export function viewerPublication(input: { service: string; pods: Workload; path: string }): Publication {
    const backend = { service: input.service, port: OHIF_HTTP_PORT, pods: input.pods };
    return publication(input.service, {
        routes: [{ name: "viewer", path: input.path, backend, protection: "user", responseHeaders: VIEWER_RESPONSE_HEADERS }],
        redirects: input.path === "/" ? [] : [{ name: "root", from: "/", to: `${input.path}/`, backend }],
    });
}
