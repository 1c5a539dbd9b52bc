/**
 * Facts about the ohif/app image this component relies on, checked in OHIF's public sources (OHIF/Viewers:
 * Dockerfile and .docker/Viewer-v3.x/, the files that build and start ohif/app 3.x):
 * - the final stage is nginxinc/nginx-unprivileged (user `nginx`, uid/gid 101) and serves the web root
 *   /usr/share/nginx/html${PUBLIC_URL}; PUBLIC_URL is a build argument (default "/") baked into index.html;
 * - the build gzips every *.js and leaves an empty file beside the .gz (.docker/compressDist.sh), and nginx
 *   serves the .gz (`gzip_static always`), so app-config.js only changes when its .gz does;
 * - the entrypoint (/usr/src/entrypoint.sh) writes /etc/nginx/conf.d/default.conf from a template with
 *   envsubst (${PORT}, ${PUBLIC_URL}), then gzips a non-empty ${web root}/app-config.js into app-config.js.gz.
 *   Releases differ in what APP_CONFIG means (the script's text, or a file name), but all of them compress a
 *   non-empty app-config.js found in the web root; pacstack relies on that step only and leaves APP_CONFIG unset.
 * So the pod copies the image's web root into an emptyDir (init container), puts the rendered app-config.js
 * there, and runs the image's own entrypoint unchanged on a read-only root filesystem.
 */
export const OHIF_UID = 101;
export const OHIF_WEB_ROOT = "/usr/share/nginx/html";
/** nginx listens here (the image's default, 80, needs a capability the pod drops). */
export const OHIF_HTTP_PORT = 8080;
export const OHIF_APP = "ohif-viewer";

export const OHIF_MOUNTS = {
    /** The emptyDir holding the copied web root, mounted over OHIF_WEB_ROOT in the nginx container. */
    webRoot: OHIF_WEB_ROOT,
    /** Where the init container sees that emptyDir while it copies into it. */
    webRootCopy: "/pacstack/web-root",
    /** ConfigMap with app-config.js. */
    config: "/etc/pacstack/ohif",
    /** The entrypoint writes default.conf here. */
    nginxConf: "/etc/nginx/conf.d",
    /** nginx-unprivileged keeps its pid and temporary files under /tmp; /var/cache/nginx is nginx's own cache. */
    tmp: "/tmp",
    cache: "/var/cache/nginx",
} as const;

export const APP_CONFIG_FILE = "app-config.js";

/** The image's PUBLIC_URL for a viewer path: "/" or "/viewer/". */
export function publicUrl(viewerPath: string): string {
    return viewerPath === "/" ? "/" : `${viewerPath}/`;
}
