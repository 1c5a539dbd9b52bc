import * as pulumi from "@pulumi/pulumi";
import { Keycloak } from "../keycloak/keycloak";
import { PlatformCore } from "./core";
import { ARCHIVE_WEBAPP } from "../dcm4chee/paths";

/** oauth2-proxy's callback below the public host: the only redirect URI the sign-in client accepts. */
export const SIGN_IN_CALLBACK_PATH = "/oauth2/callback";

/**
 * The platform's identity provider: Keycloak at /auth on the public host, its database in the shared PostgreSQL
 * (verified TLS), the realm applied from code on every change.
 */
export function createIdentity(core: PlatformCore): Keycloak {
    const { config, name } = core;
    const database = core.database;
    if (!database) throw new Error("Keycloak needs the shared PostgreSQL (createCore with database: true)");
    return new Keycloak(
        `${name}-keycloak`,
        {
            namespace: config.namespace,
            chartVersion: config.keycloak.chartVersion,
            image: config.keycloak.image,
            syncImage: config.keycloak.syncImage,
            replicas: config.keycloak.replicas,
            webUrl: core.webUrl,
            redirectUris: [core.webUrl.apply((url) => `${url.replace(/\/$/, "")}${SIGN_IN_CALLBACK_PATH}`)],
            // dcm4chee's UI signs in with a client of its own (its pages, under its native path).
            archiveUiRedirectUris: config.sites.some((site) => site.archives.includes("dcm4chee")) ? [core.webUrl.apply((url) => `${url}${ARCHIVE_WEBAPP.slice(1)}/ui2/*`)] : [],
            database: {
                host: database.host,
                port: database.port,
                pods: { namespace: config.namespace, podLabels: database.podLabels },
                image: config.postgres.image,
                superuserSecret: database.superuserSecret,
                caSecret: core.certificates.databaseTlsSecretName!,
            },
            realm: { passwordMinLength: config.keycloak.passwordMinLength },
            resources: config.keycloak.resources,
            keptObjectProvider: core.keptObjectProvider,
            keptSecrets: core.keptSecrets,
        },
        { ...core.inApp, dependsOn: [core.namespaces.app, core.certificates, database] },
    );
}

/** The stack outputs of the identity provider (secrets stay secret). */
export function identityOutputs(keycloak: Keycloak) {
    return {
        keycloakUrl: keycloak.url,
        keycloakAdminConsole: pulumi.interpolate`${keycloak.url}/admin/master/console/`,
        keycloakAdminUsername: keycloak.adminUsername,
        keycloakAdminPassword: keycloak.adminPassword,
        tokenUrl: pulumi.interpolate`${keycloak.issuerUrl}/protocol/openid-connect/token`,
        scriptsClientId: keycloak.scriptsClient.clientId,
        scriptsClientSecret: keycloak.scriptsClient.secret,
    };
}
