import * as pulumi from "@pulumi/pulumi";
import { Platform, identityOutputs, keptSecretsOf, readStackConfig } from "pacstack";

// Validation throws before any resource is registered when a setting is wrong.
const config = readStackConfig();
// Credentials a previous deployment kept with its data are read back (kubectl), so kept databases keep working.
const platform = new Platform("pacstack", { config, keptSecrets: keptSecretsOf(config.kubernetes) });

export const webUrl = platform.webUrl;
export const viewerUrl = platform.viewerUrl;
export const archiveUis = platform.archiveUis;
export const dicomEndpoint = platform.dicomEndpoint;
export const dicomEndpoints = platform.dicomEndpoints;
export const caCertificate = platform.caCertificatePem;
// Only `pulumi up` renews certificates (within certificates.renewBeforeDays of expiry): alert on these dates.
export const certificateExpiries = platform.certificateExpiries;
export const adminUsername = platform.adminUsername;
export const adminPassword = platform.adminPassword && pulumi.secret(platform.adminPassword);
// With pacstack:login basic, every web route asks for this user (Traefik basicAuth); with single sign-on, people sign in at Keycloak.
export const webUsername = platform.webUsername;
export const webPassword = pulumi.secret(platform.webPassword);
export const modalityCredentials = pulumi.secret(platform.modalityCredentials);
// Per Orthanc peer (pacstack:orthanc.peers), the credentials Orthanc sends: register them at the peer.
// What the configuration deserves a warning for (for example a PostgreSQL image that gets no security fixes).
export const warnings = platform.warnings;
export const orthancPeerCredentials = pulumi.secret(platform.orthancPeerCredentials);

// Single sign-on: Keycloak's bootstrap administrator (master realm) and the scripts' client-credentials client
// (absent with pacstack:login basic).
const identity = platform.keycloak && identityOutputs(platform.keycloak);
export const keycloakUrl = identity?.keycloakUrl;
export const keycloakAdminConsole = identity?.keycloakAdminConsole;
export const keycloakAdminUsername = identity?.keycloakAdminUsername;
export const keycloakAdminPassword = identity && pulumi.secret(identity.keycloakAdminPassword);
export const tokenUrl = identity?.tokenUrl;
export const scriptsClientId = identity?.scriptsClientId;
export const scriptsClientSecret = identity && pulumi.secret(identity.scriptsClientSecret);
