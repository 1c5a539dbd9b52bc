export { Certificates, CertificatesArgs, ClientCredential } from "./certificates/certificates";
export { planCertificates, serviceHostNames } from "./certificates/plan";
export { ImageRef, imageReference, parseImage } from "./config/image";
export { DICOM_RIGHTS, DicomRight, ModalityAccess, ModalityDestination, parseModalities } from "./config/modalities";
export { ContainerResources, NODE_PORTS, PLATFORM_PROFILES, PlatformProfile } from "./config/platform";
export { ARCHIVES, ArchiveKind, LEAF_PATHS, LEAF_SETTINGS, LeafKey, LeafSpec, PLATFORMS, PlatformKind, SETTINGS, SettingSpec, leafPath } from "./config/schema";
export { PlatformSettings, flattenSettings } from "./config/settings";
export { readStackConfig } from "./config/stack";
export { PlatformConfig, PlatformConfigError, SiteConfig, validatePlatformConfig } from "./config/validate";
export { NETWORK_DEFAULTS, NetworkConfig } from "./config/network";
export { IsolatedNamespace, IsolatedNamespaceArgs } from "./namespace/isolated-namespace";
export { KEPT_SECRETS_ENV, KeptSecrets, fileKeptSecrets, keptOrGenerated, keptSecretsOf, kubectlKeptSecrets } from "./kube/kept-secrets";
export { Orthanc, OrthancArgs } from "./orthanc/orthanc";
export { OrthancConfigInput, renderOrthancConfig, renderOrthancCredentials } from "./orthanc/config";
export { renderDeployedOrthancConfig } from "./orthanc/deployed-config";
export { renderDicomModalities } from "./orthanc/modalities";
export { Dcm4chee, Dcm4cheeArgs } from "./dcm4chee/dcm4chee";
export { DatabaseBackup, DatabaseBackupArgs } from "./backup/backup";
export { BackupScriptInput, isCronSchedule, renderBackupScript, renderRestoreScript } from "./backup/script";
export { OhifDataSourceInput, renderOhifAppConfig } from "./ohif/app-config";
export { OhifViewer, OhifViewerArgs } from "./ohif/ohif-viewer";
export { DicomEndpoint, Platform, PlatformArgs, PlatformExtras, PlatformService, WEB_USERNAME } from "./platform/platform";
export { PlatformCore, createCore } from "./platform/core";
export { ARCHIVE_KINDS, ArchiveKindSpec, SiteArchive } from "./platform/archives";
export { Site, createSite } from "./platform/site";
export { createEdge, createFlows } from "./platform/edge";
export {
    Backend,
    MetricsEndpoint,
    Protection,
    Publication,
    PublishedEntryPoint,
    PublishedFlow,
    PublishedRedirect,
    PublishedRoute,
    Publishing,
    Workload,
    publication,
    publicationClashes,
} from "./publish/published";
export { edgeBackends, renderEdgePolicies, renderFlowPolicies } from "./publish/network";
export { ScrapeTarget, renderScrapeTargets } from "./publish/scrape";
export { orthancPublication } from "./orthanc/publication";
export { dcm4cheePublication } from "./dcm4chee/publication";
export { viewerPublication } from "./ohif/publication";
export { Postgres, PostgresArgs } from "./postgres/postgres";
export { renderPostgresValues } from "./postgres/values";
export { Routes, RoutesArgs } from "./routes/routes";
export { RouteTable, renderRouteTable } from "./routes/table";
export { Traefik, TraefikArgs } from "./traefik/traefik";
export { renderTraefikValues } from "./traefik/values";
export { KEYCLOAK_VERSION } from "./keycloak/version";
export { KEYCLOAK_ADMIN_USERNAME, Keycloak, KeycloakArgs, SYNC_CLIENT_ID } from "./keycloak/keycloak";
export { keycloakPublication } from "./keycloak/publication";
export { KEYCLOAK_PATH, renderKeycloakValues } from "./keycloak/values";
export { renderRealmSyncScript, syncRealm } from "./keycloak/realm-sync";
export { renderDatabaseSetupScript, renderDatabaseSetupSql } from "./keycloak/database";
export { SIGN_IN_CALLBACK_PATH, createIdentity, identityOutputs } from "./platform/identity";
export {
    ADMIN_GROUP,
    BruteForcePolicy,
    PROXY_CLIENT_ID,
    REALM_NAME,
    RealmInput,
    SCRIPTS_CLIENT_ID,
    USER_GROUP,
    realmInputProblems,
    renderRealm,
    withClientSecrets,
} from "./keycloak/realm";
