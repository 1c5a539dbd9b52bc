import { ContainerResources } from "../config/platform";
import { ImageRef } from "../config/image";
import { restrictedContainerSecurityContext } from "../kube/security";
import { PROXY_METRICS_PORT, PROXY_PORT, ProxySettingsInput, renderProxyAlphaConfig, renderProxyArguments } from "./settings";

/** Keys of the proxy's own Secret (the chart's `config.existingSecret`). */
export const PROXY_SECRET_KEYS = { cookieSecret: "cookie-secret", clientSecret: "client-secret", backendAuthorization: "backend-authorization" } as const;
/** Environment variable the alpha configuration reads the edge's backend credential from. */
export const BACKEND_AUTHORIZATION_ENV = "PACSTACK_BACKEND_AUTHORIZATION";
/** Where the pod mounts the Keycloak client's secret (a key of the proxy's own Secret). */
export const CLIENT_SECRET_DIR = "/etc/pacstack/oauth2-proxy/client";
export const CLIENT_SECRET_FILE = `${CLIENT_SECRET_DIR}/client-secret`;
/** Environment variable oauth2-proxy reads the session store's password from (its `redis_password` option). */
export const SESSION_STORE_PASSWORD_ENV = "OAUTH2_PROXY_REDIS_PASSWORD";
/** Where the pod mounts the CA it trusts for the session store. */
export const SESSION_STORE_CA_DIR = "/etc/pacstack/oauth2-proxy/session-store";
export const SESSION_STORE_CA_FILE = `${SESSION_STORE_CA_DIR}/ca.crt`;
/** The chart's user (its default securityContext). */
export const PROXY_UID = 2000;

export interface ProxyValuesInput {
    /** Release name; also the Service's and the Deployment's name (fullnameOverride). */
    name: string;
    image: ImageRef;
    replicas: number;
    resources: ContainerResources;
    /** The proxy's Secret: cookie secret, the Keycloak client's secret and the edge's backend credential. */
    secretName: string;
    settings: Omit<ProxySettingsInput, "clientSecretFile" | "backendAuthorizationEnv" | "listen" | "metricsListen" | "sessionStore">;
    /** The session store: its URL and user, the Secret key with the password, the Secret whose `ca.crt` is trusted. */
    sessionStore: { url: string; username: string; passwordSecret: { name: string; key: string }; caSecretName: string };
}

/** The chart writes server and metricsServer itself (0.0.0.0:4180 / :44180); the rest of the alpha document goes in configData. */
export function alphaConfigData(alpha: Record<string, unknown>): Record<string, unknown> {
    const { server: _server, metricsServer: _metrics, ...rest } = alpha;
    return rest;
}

/** The full proxy settings the pod runs with (the files and variables the values mount). */
export function podProxySettings(input: ProxyValuesInput): ProxySettingsInput {
    return {
        ...input.settings,
        clientSecretFile: CLIENT_SECRET_FILE,
        backendAuthorizationEnv: BACKEND_AUTHORIZATION_ENV,
        sessionStore: { url: input.sessionStore.url, username: input.sessionStore.username, caFile: SESSION_STORE_CA_FILE },
    };
}

/**
 * Values for the oauth2-proxy chart (10.x, oauth2-proxy/manifests): the official image, alpha configuration with
 * the rendered document, the rendered arguments, secrets from Secrets only, a restricted pod, no ServiceAccount token.
 */
export function renderProxyValues(input: ProxyValuesInput): Record<string, unknown> {
    const settings = podProxySettings(input);
    const security = restrictedContainerSecurityContext();
    return {
        fullnameOverride: input.name,
        image: { registry: input.image.registry, repository: input.image.repository, tag: input.image.tag, pullPolicy: "IfNotPresent" },
        replicaCount: input.replicas,
        config: {
            // The chart's own Secret is not created: the cookie secret comes from pacstack's Secret (generated), the
            // client secret from the same Secret, mounted as a file.
            existingSecret: input.secretName,
            requiredSecretKeys: [PROXY_SECRET_KEYS.cookieSecret],
            emailDomains: ["*"],
            forceLegacyConfig: false,
        },
        alphaConfig: { enabled: true, configData: alphaConfigData(renderProxyAlphaConfig(settings)) },
        extraArgs: renderProxyArguments(settings),
        extraEnv: [
            {
                name: BACKEND_AUTHORIZATION_ENV,
                valueFrom: { secretKeyRef: { name: input.secretName, key: PROXY_SECRET_KEYS.backendAuthorization } },
            },
            { name: SESSION_STORE_PASSWORD_ENV, valueFrom: { secretKeyRef: { name: input.sessionStore.passwordSecret.name, key: input.sessionStore.passwordSecret.key } } },
        ],
        extraVolumes: [
            { name: "client-secret", secret: { secretName: input.secretName, items: [{ key: PROXY_SECRET_KEYS.clientSecret, path: "client-secret" }] } },
            // Only the CA of the store's TLS Secret (its key stays out of this pod).
            { name: "session-store-ca", secret: { secretName: input.sessionStore.caSecretName, items: [{ key: "ca.crt", path: "ca.crt" }] } },
        ],
        extraVolumeMounts: [
            { name: "client-secret", mountPath: CLIENT_SECRET_DIR, readOnly: true },
            { name: "session-store-ca", mountPath: SESSION_STORE_CA_DIR, readOnly: true },
        ],
        service: { type: "ClusterIP", portNumber: PROXY_PORT },
        httpScheme: "http",
        metrics: { enabled: true, port: PROXY_METRICS_PORT, serviceMonitor: { enabled: false } },
        serviceAccount: { enabled: true, automountServiceAccountToken: false },
        enableServiceLinks: false,
        proxyVarsAsSecrets: true,
        // The chart's own Redis wiring stays off (it would deploy Bitnami's Redis); the rendered arguments above name
        // pacstack's session store.
        sessionStorage: { type: "cookie" },
        initContainers: { waitForRedis: { enabled: false } },
        networkPolicy: { create: false },
        resources: input.resources,
        securityContext: { enabled: true, ...security, runAsUser: PROXY_UID, runAsGroup: PROXY_UID },
        podSecurityContext: { runAsNonRoot: true, runAsUser: PROXY_UID, runAsGroup: PROXY_UID, seccompProfile: { type: "RuntimeDefault" } },
        livenessProbe: { enabled: true, initialDelaySeconds: 0, timeoutSeconds: 1 },
        readinessProbe: { enabled: true, initialDelaySeconds: 0, timeoutSeconds: 5, periodSeconds: 10, successThreshold: 1 },
        // One pod may always be drained; with one replica the chart's default (minAvailable 1) would block it.
        podDisruptionBudget: { enabled: input.replicas > 1, maxUnavailable: 1, minAvailable: null },
        checkDeprecation: true,
    };
}
