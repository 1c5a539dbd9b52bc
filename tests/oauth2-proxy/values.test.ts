import assert from "node:assert/strict";
import { parseImage } from "../../components/config/image";
import { BACKEND_AUTHORIZATION_ENV, CLIENT_SECRET_FILE, alphaConfigData, podProxySettings, renderProxyValues } from "../../components/oauth2-proxy/values";
import { renderProxyAlphaConfig, renderProxyArguments } from "../../components/oauth2-proxy/settings";
import { OAUTH2_PROXY_IMAGE, OAUTH2_PROXY_VERSION } from "../../components/oauth2-proxy/version";
import { basicAuthorizationValue, proxyPublication } from "../../components/oauth2-proxy/oauth2-proxy";

const INPUT = {
    name: "pacstack-oauth2-proxy",
    image: parseImage(OAUTH2_PROXY_IMAGE)!,
    replicas: 1,
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
    secretName: "pacstack-oauth2-proxy-secrets",
    settings: { publicUrl: "https://pacs.example.org/", keycloakPublicUrl: "https://pacs.example.org/auth", keycloakInternalUrl: "http://pacstack-keycloak.pacstack.svc:8080/auth" },
    sessionStore: {
        url: "rediss://pacstack-session-store.pacstack.svc:6379",
        username: "oauth2-proxy",
        passwordSecret: { name: "pacstack-session-store-credentials", key: "password" },
        caSecretName: "pacstack-session-store-tls",
    },
};

describe("oauth2-proxy: chart values (oauth2-proxy chart 10.7.0)", () => {
    const values = renderProxyValues(INPUT) as any;

    it("runs the official image at the pinned version, the one the tests build from the Go module", () => {
        assert.equal(OAUTH2_PROXY_IMAGE, `quay.io/oauth2-proxy/oauth2-proxy:${OAUTH2_PROXY_VERSION}`);
        assert.deepEqual(values.image, { registry: "quay.io", repository: "oauth2-proxy/oauth2-proxy", tag: "v7.15.6", pullPolicy: "IfNotPresent" });
        assert.equal(values.fullnameOverride, "pacstack-oauth2-proxy");
    });

    it("passes exactly the rendered arguments and alpha document (the chart adds only the listen addresses it also renders)", () => {
        const settings = podProxySettings(INPUT);
        assert.equal(settings.clientSecretFile, CLIENT_SECRET_FILE);
        assert.deepEqual(values.extraArgs, renderProxyArguments(settings));
        assert.equal(values.alphaConfig.enabled, true);
        assert.deepEqual(values.alphaConfig.configData, alphaConfigData(renderProxyAlphaConfig(settings)));
        assert.equal("server" in values.alphaConfig.configData, false);
        // The chart writes server 0.0.0.0:4180 and metricsServer 0.0.0.0:44180: the same as the renderer's defaults.
        assert.deepEqual((renderProxyAlphaConfig(settings) as any).server, { bindAddress: "0.0.0.0:4180" });
        assert.deepEqual((renderProxyAlphaConfig(settings) as any).metricsServer, { bindAddress: "0.0.0.0:44180" });
        assert.equal(values.service.portNumber, 4180);
    });

    it("takes every secret from its own Secret: cookie secret and backend credential as variables, the client secret as a file", () => {
        assert.deepEqual(values.config.existingSecret, "pacstack-oauth2-proxy-secrets");
        assert.deepEqual(values.config.requiredSecretKeys, ["cookie-secret"]);
        assert.equal(values.config.clientSecret, undefined);
        assert.equal(values.config.cookieSecret, undefined);
        assert.deepEqual(values.extraEnv, [
            { name: BACKEND_AUTHORIZATION_ENV, valueFrom: { secretKeyRef: { name: "pacstack-oauth2-proxy-secrets", key: "backend-authorization" } } },
            { name: "OAUTH2_PROXY_REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "pacstack-session-store-credentials", key: "password" } } },
        ]);
        assert.deepEqual(values.extraVolumes, [
            { name: "client-secret", secret: { secretName: "pacstack-oauth2-proxy-secrets", items: [{ key: "client-secret", path: "client-secret" }] } },
            // Only the store's CA, never its private key.
            { name: "session-store-ca", secret: { secretName: "pacstack-session-store-tls", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        ]);
        assert.deepEqual(values.extraVolumeMounts, [
            { name: "client-secret", mountPath: "/etc/pacstack/oauth2-proxy/client", readOnly: true },
            { name: "session-store-ca", mountPath: "/etc/pacstack/oauth2-proxy/session-store", readOnly: true },
        ]);
        assert.equal(podProxySettings(INPUT).sessionStore.caFile, "/etc/pacstack/oauth2-proxy/session-store/ca.crt");
        assert.equal(basicAuthorizationValue("pacstack", "pa:ss"), `Basic ${Buffer.from("pacstack:pa:ss").toString("base64")}`);
    });

    it("runs restricted: non-root, read-only root, no privilege escalation, no capabilities, no token, own policies", () => {
        assert.deepEqual(values.securityContext, {
            enabled: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            seccompProfile: { type: "RuntimeDefault" },
            runAsUser: 2000,
            runAsGroup: 2000,
        });
        assert.equal(values.serviceAccount.automountServiceAccountToken, false);
        assert.equal(values.networkPolicy.create, false);
        assert.equal(values.initContainers.waitForRedis.enabled, false);
        assert.equal(values.podDisruptionBudget.enabled, false, "one replica: no budget that blocks a drain");
        assert.equal((renderProxyValues({ ...INPUT, replicas: 2 }) as any).podDisruptionBudget.enabled, true);
    });

    it("publishes /oauth2 (public: the sign-in callback and sign-out) and its one flow, to Keycloak", () => {
        const pods = { namespace: "pacstack", podLabels: { "app.kubernetes.io/name": "oauth2-proxy", "app.kubernetes.io/instance": "pacstack-oauth2-proxy" } };
        const keycloak = { namespace: "pacstack", podLabels: { "app.kubernetes.io/name": "keycloak" }, port: 8080 };
        const published = proxyPublication({ service: "pacstack-oauth2-proxy", pods, keycloak });
        assert.deepEqual(published.routes, [{ name: "oauth2-proxy", path: "/oauth2", backend: { service: "pacstack-oauth2-proxy", port: 4180, pods }, protection: "public" }]);
        assert.deepEqual(published.flows, [{ name: "oauth2-proxy-to-keycloak", from: pods, to: { namespace: "pacstack", podLabels: keycloak.podLabels }, ports: [{ port: 8080 }] }]);
    });
});
