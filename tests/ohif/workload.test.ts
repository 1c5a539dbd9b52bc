import assert from "node:assert/strict";
import { VIEWER_CONTENT_SECURITY_POLICY, VIEWER_RESPONSE_HEADERS } from "../../components/ohif/headers";
import { renderCopyScript, renderOhifDeployment, renderOhifService } from "../../components/ohif/workload";

const input = {
    name: "pacstack-viewer",
    namespace: "pacstack",
    image: "docker.io/ohif/app:v3.13.2",
    replicas: 1,
    resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
    viewerPath: "/",
    appConfig: "window.config = {};\n",
    configMapName: "pacstack-viewer-config",
};

describe("ohif: viewer workload", () => {
    const deployment = renderOhifDeployment(input);
    const pod = deployment.spec.template.spec;
    const nginx = pod.containers[0] as any;

    it("runs the image's own entrypoint (no command) on port 8080 with PUBLIC_URL set", () => {
        assert.equal(nginx.command, undefined);
        assert.deepEqual(nginx.env, [
            { name: "PORT", value: "8080" },
            { name: "PUBLIC_URL", value: "/" },
        ]);
        assert.deepEqual(nginx.ports, [{ containerPort: 8080, name: "http", protocol: "TCP" }]);
        assert.deepEqual(renderOhifService(input).spec.ports, [{ name: "http", port: 8080, protocol: "TCP", targetPort: "http" }]);
    });

    it("copies the web root into an emptyDir and puts the rendered app-config.js where the entrypoint compresses it", () => {
        const init = pod.initContainers[0] as any;
        assert.equal(init.image, input.image);
        assert.deepEqual(init.command.slice(0, 2), ["/bin/sh", "-c"]);
        assert.equal(
            renderCopyScript("/"),
            [
                "set -eu",
                "cp -a /usr/share/nginx/html/. /pacstack/web-root/",
                "rm -f /pacstack/web-root/app-config.js /pacstack/web-root/app-config.js.gz",
                "cp /etc/pacstack/ohif/app-config.js /pacstack/web-root/app-config.js",
            ].join("\n"),
        );
        assert.match(renderCopyScript("/viewer"), /cp \/etc\/pacstack\/ohif\/app-config.js \/pacstack\/web-root\/viewer\/app-config.js$/);
        const webRoot = pod.volumes.find((v: any) => v.name === "web-root") as any;
        assert.ok(webRoot.emptyDir);
        assert.deepEqual(
            nginx.volumeMounts.map((m: any) => m.mountPath).sort(),
            ["/etc/nginx/conf.d", "/tmp", "/usr/share/nginx/html", "/var/cache/nginx"],
            "the entrypoint writes default.conf and app-config.js.gz, nginx its temporary files",
        );
        assert.equal(nginx.securityContext.readOnlyRootFilesystem, true);
        assert.equal(pod.securityContext.runAsUser, 101);
    });

    it("probes the web root at the viewer's path and rolls the pods when app-config.js changes", () => {
        assert.equal(nginx.readinessProbe.httpGet.path, "/");
        assert.equal(renderOhifDeployment({ ...input, viewerPath: "/viewer" }).spec.template.spec.containers[0].readinessProbe.httpGet.path, "/viewer/");
        assert.notEqual(
            deployment.spec.template.metadata.annotations["pacstack.io/config-checksum"],
            renderOhifDeployment({ ...input, appConfig: "window.config = { x: 1 };\n" }).spec.template.metadata.annotations["pacstack.io/config-checksum"],
        );
    });

    it("isolates the viewer (COOP/COEP) under a same-origin content security policy", () => {
        assert.equal(VIEWER_RESPONSE_HEADERS.custom["Cross-Origin-Opener-Policy"], "same-origin");
        assert.equal(VIEWER_RESPONSE_HEADERS.custom["Cross-Origin-Embedder-Policy"], "require-corp");
        assert.match(VIEWER_CONTENT_SECURITY_POLICY, /connect-src 'self' data: blob:/);
        assert.match(VIEWER_CONTENT_SECURITY_POLICY, /object-src 'none'/);
        assert.doesNotMatch(VIEWER_CONTENT_SECURITY_POLICY, /https?:|\*/);
    });
});
