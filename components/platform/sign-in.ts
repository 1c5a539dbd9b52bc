import * as pulumi from "@pulumi/pulumi";
import { parseImage } from "../config/image";
import { OAuth2Proxy } from "../oauth2-proxy/oauth2-proxy";
import { OAUTH2_PROXY_CHART_VERSION, OAUTH2_PROXY_IMAGE } from "../oauth2-proxy/version";
import { Keycloak } from "../keycloak/keycloak";
import { serviceHostNames } from "../certificates/plan";
import type { ServerCertificate } from "../certificates/plan";
import { SessionStore } from "../session-store/session-store";
import { SESSION_STORE_IMAGE } from "../session-store/version";
import { OAUTH2_PROXY_CHART } from "../oauth2-proxy/version";
import { KEYCLOAK_HTTP_PORT, KEYCLOAK_PATH } from "../keycloak/values";
import { Publication, Publishing, Workload } from "../publish/published";
import { PlatformCore } from "./core";

/**
 * The identity provider single sign-on rests on (Keycloak with pacstack's realm): what the edge's oauth2-proxy
 * needs to know about it. It publishes its own routes (its login pages, its admin console) like any service.
 */
export interface IdentityProvider extends Publishing {
    /** Base URL browsers use (Keycloak's --hostname, path included), e.g. `https://pacs.example.org/auth`. */
    publicUrl: pulumi.Input<string>;
    /** In-cluster base URL, e.g. `http://pacstack-keycloak.pacstack.svc:8080/auth`. */
    internalUrl: string;
    /** The secret of its oauth2-proxy client (the realm's confidential sign-in client). */
    proxyClientSecret: pulumi.Input<string>;
    /** Its pods and the port of internalUrl. */
    workload: Workload & { port: number };
}

/** Builds the identity provider of a Platform from its core record. */
export type IdentityProviderFactory = (core: PlatformCore) => IdentityProvider;

/** Size of the proxy: it only checks cookies and tokens (no proxying), so it stays small. */
const PROXY_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };

/** Size of the session store: a few KiB per signed-in person; 128 MiB of sessions leave room in its 256 MiB. */
const STORE_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
const STORE_MAX_MEMORY_MIB = 128;
/** Id of the session store's server certificate (Secret `<platform>-session-store-tls`). */
export const SESSION_STORE_CERTIFICATE = "session-store";

/** The session store's name on a platform. */
const sessionStoreName = (platform: string) => `${platform}-session-store`;

/** The server certificate the sign-in needs (its session store's TLS), for createCore. */
export function signInCertificates(platform: string, namespace: string): ServerCertificate[] {
    return [{ id: SESSION_STORE_CERTIFICATE, hosts: serviceHostNames(sessionStoreName(platform), namespace) }];
}

/** What single sign-on adds to a Platform: oauth2-proxy and its session store. */
export interface SignIn {
    proxy: OAuth2Proxy;
    sessionStore: SessionStore;
}

/**
 * oauth2-proxy in the application namespace for the given identity provider: the login of every protected route,
 * with its server-side session store. The edge presents the web user to Orthanc (it keeps its own authentication
 * on); no person types that password.
 */
export function createSignIn(core: PlatformCore, identity: IdentityProvider): SignIn {
    const { config, name } = core;
    const proxyName = `${name}-oauth2-proxy`;
    const tlsSecretName = core.certificates.serviceTlsSecretNames[SESSION_STORE_CERTIFICATE];
    if (!tlsSecretName) throw new Error(`Platform ${name}: no certificate for the session store (signInCertificates was not given to createCore)`);
    const sessionStore = new SessionStore(
        sessionStoreName(name),
        {
            namespace: config.namespace,
            image: parseImage(SESSION_STORE_IMAGE)!,
            resources: STORE_RESOURCES,
            maxMemoryMiB: STORE_MAX_MEMORY_MIB,
            tlsSecretName,
            certificatesChecksum: core.certificates.checksumOf([tlsSecretName]),
            clients: { namespace: config.namespace, podLabels: { "app.kubernetes.io/name": OAUTH2_PROXY_CHART, "app.kubernetes.io/instance": proxyName } },
        },
        core.inApp,
    );
    const proxy = new OAuth2Proxy(
        proxyName,
        {
            namespace: config.namespace,
            chartVersion: OAUTH2_PROXY_CHART_VERSION,
            image: parseImage(OAUTH2_PROXY_IMAGE)!,
            replicas: config.platform === "cloud" ? 2 : 1,
            resources: PROXY_RESOURCES,
            publicUrl: core.webUrl,
            keycloakPublicUrl: identity.publicUrl,
            keycloakInternalUrl: identity.internalUrl,
            clientSecret: identity.proxyClientSecret,
            keycloak: identity.workload,
            backendCredential: { username: core.webUser.username, password: core.webUser.password },
            sessionStore: { url: sessionStore.url, username: sessionStore.username, passwordSecret: sessionStore.passwordSecret, caSecretName: sessionStore.caSecretName },
        },
        { ...core.inApp, dependsOn: [core.namespaces.app, sessionStore] },
    );
    return { proxy, sessionStore };
}

/**
 * pacstack's Keycloak as the identity provider: its own publication plus its admin console (`/auth/admin`) as a
 * route for administrators only. The console and its API check their own bearer tokens, which pass unchanged.
 */
export function keycloakIdentity(keycloak: Keycloak): IdentityProvider {
    const own = keycloak.published;
    const main = own.routes.find((route) => route.path === KEYCLOAK_PATH);
    if (!main) throw new Error(`Keycloak publishes no route at ${KEYCLOAK_PATH}`);
    const published: Publication = {
        ...own,
        routes: [...own.routes, { name: "keycloak-admin", path: `${KEYCLOAK_PATH}/admin`, backend: main.backend, protection: "admin", passAuthorization: true }],
    };
    return {
        published,
        publicUrl: keycloak.url,
        internalUrl: keycloak.internalUrl,
        proxyClientSecret: keycloak.proxyClient.secret,
        workload: { ...main.backend.pods, port: KEYCLOAK_HTTP_PORT },
    };
}
