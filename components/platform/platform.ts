import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClientCredential } from "../certificates/certificates";
import { ArchiveKind } from "../config/schema";
import { PlatformSettings } from "../config/settings";
import { PlatformConfig, validatePlatformConfig } from "../config/validate";
import { platformWarnings } from "../config/warnings";
import { Publication, Publishing, publicationClashes } from "../publish/published";
import { ScrapeTarget, renderScrapeTargets } from "../publish/scrape";
import { PlatformCore, createCore } from "./core";
import { KeptSecrets } from "../kube/kept-secrets";
import { createEdge, createFlows } from "./edge";
import { Keycloak } from "../keycloak/keycloak";
import { createIdentity } from "./identity";
import { IdentityProviderFactory, createSignIn, keycloakIdentity, signInCertificates } from "./sign-in";
import { DicomEndpoint, createSite, sitesCertificates, sitesNeedDatabase } from "./site";

export { DicomEndpoint } from "./site";
export { WEB_USERNAME } from "./core";

/** A service a program adds to the platform: built from the core record, it publishes what it needs. */
export type PlatformService = (core: PlatformCore) => Publishing;

/**
 * A Platform's settings, either as a program writes them (PlatformSettings: `{ platform, domain, orthanc: {...},
 * sites: [...] }`, validated here before anything is created) or already validated (`{ config }` from
 * readStackConfig or validatePlatformConfig), plus how it reaches the cluster and the services a program adds.
 */
export type PlatformArgs = (PlatformSettings | { config: PlatformConfig }) & PlatformExtras;

export interface PlatformExtras {
    /**
     * The Kubernetes provider every object goes through, for example the one of a cluster the same program builds.
     * @default the provider in `opts.providers`, else one built from `config.kubernetes` (context, kubeconfig)
     */
    provider?: k8s.Provider;
    /**
     * Provider for the objects kept on destroy (namespaces, the DICOM volume claim). Give one with
     * upsertExistingObjects so that a deployment after a destroy adopts them.
     * @default with a provider given, that provider; else one like the built provider, with upsertExistingObjects
     */
    keptObjectProvider?: k8s.Provider;
    /**
     * Where the credential Secrets a previous deployment kept are read from (`keptSecretsOf(config.kubernetes)` reads
     * them with kubectl). With it, a deployment onto kept data keeps the passwords the kept PostgreSQL, dcm4chee
     * database and LDAP were initialised with (README: Redeploy onto kept data).
     * @default none: every deployment after a destroy generates new credentials
     */
    keptSecrets?: KeptSecrets;
    /**
     * More services on the platform. Each gets the core record (providers, namespaces, certificates, web user,
     * database) and returns a component whose published routes, entrypoints, flows and metrics reach the edge, the
     * network and the scrape targets like those of pacstack's own services.
     * @default none
     */
    services?: PlatformService[];
    /**
     * Single sign-on: the identity provider (Keycloak with pacstack's realm). With one, oauth2-proxy is deployed and
     * every protected route asks it through Traefik forwardAuth (groups decide user and admin routes); without,
     * every protected route asks for the one web user (basic auth).
     * @default none (basic auth)
     */
    identity?: IdentityProviderFactory;
}

/**
 * The whole platform: shared services (namespaces, certificates, the web user, the database, the edge) and its
 * site (archives plus viewer). Every component publishes its routes, entrypoints, flows and metrics; the edge,
 * the NetworkPolicies between components and the scrape targets are rendered from what they publish.
 */
export class Platform extends pulumi.ComponentResource {
    /** The shared record every part is built from (pulumi-eks' CoreData shape). */
    public readonly core: PlatformCore;
    /** What every component on the platform publishes, in the order the edge serves it. */
    public readonly published: Publication[];
    /** Every published metrics endpoint, with the credential it needs. */
    public readonly scrapeTargets: ScrapeTarget[];
    public readonly webUrl: pulumi.Output<string>;
    /** Where the OHIF viewer's study list is. */
    public readonly viewerUrl: pulumi.Output<string>;
    /** The archives' own web interfaces (behind the same web user). */
    public readonly archiveUis: Partial<Record<ArchiveKind, pulumi.Output<string>>>;
    /** DICOM-TLS endpoint of the default archive. */
    public readonly dicomEndpoint: DicomEndpoint;
    public readonly dicomEndpoints: Partial<Record<ArchiveKind, DicomEndpoint>>;
    public readonly caCertificatePem: pulumi.Output<string>;
    /** When each certificate pacstack issued expires (RFC 3339), by id: `ca`, `web`, `dicom`, ..., `modality-<name>`. */
    public readonly certificateExpiries: pulumi.Output<Record<string, string>>;
    /** Orthanc's own administrator (undefined without Orthanc). */
    public readonly adminUsername: string | undefined;
    public readonly adminPassword: pulumi.Output<string> | undefined;
    /** The web user every route asks for. */
    public readonly webUsername: string;
    public readonly webPassword: pulumi.Output<string>;
    public readonly modalityCredentials: pulumi.Output<Record<string, ClientCredential>>;
    /** What the configuration deserves a warning for (a PostgreSQL image without security fixes, ...); printed by `pulumi up` too. */
    public readonly warnings: string[];
    /** Per Orthanc peer, the user name and password Orthanc sends (secret; {} without peers): register them there. */
    public readonly orthancPeerCredentials: pulumi.Output<Record<string, { username: string; password: string }>>;
    /** The identity provider (Keycloak at /auth); undefined with the basic-auth login or an identity provider given. */
    public readonly keycloak: Keycloak | undefined;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        // Invalid settings throw here, before anything (this Platform included) is registered.
        const config = "config" in args ? args.config : validatePlatformConfig(settingsOf(args));
        super("pacstack:index:Platform", name, {}, opts);
        const sites = config.sites;
        const given = args.provider ?? (this.getProvider("kubernetes::") as k8s.Provider | undefined);

        const signsIn = args.identity !== undefined || config.login === "sso";
        const archiveCertificates = sitesCertificates(name, config.namespace, sites);
        const core = createCore(name, config, this, {
            // Keycloak keeps its data there, whichever archives the site holds.
            database: sitesNeedDatabase(sites) || (!args.identity && config.login === "sso"),
            certificates: { ...archiveCertificates, services: [...archiveCertificates.services, ...(signsIn ? signInCertificates(name, config.namespace) : [])] },
            provider: given,
            keptObjectProvider: args.keptObjectProvider,
            keptSecrets: args.keptSecrets,
        });
        // Single sign-on (the default): the given identity provider, else Keycloak; basic auth only when chosen.
        this.keycloak = !args.identity && config.login === "sso" ? createIdentity(core) : undefined;
        const identity = args.identity?.(core) ?? (this.keycloak && keycloakIdentity(this.keycloak));
        // The archives learn it (dcm4chee's UI signs in there).
        const [site] = sites.map((settings) => createSite(core, settings, identity));
        const services = (args.services ?? []).map((service) => service(core));
        const signIn = identity && createSignIn(core, identity);
        const proxy = signIn?.proxy;
        this.published = [
            ...site.publications,
            ...(identity ? [identity.published] : []),
            ...services.map((service) => service.published),
            ...(signIn ? [signIn.proxy.published, signIn.sessionStore.published] : []),
        ];
        const clashes = publicationClashes(this.published);
        if (clashes.length > 0) {
            throw new Error(`Platform ${name}: ${clashes.join("; ")}`);
        }
        createFlows(core, this.published);
        createEdge(core, this.published, proxy && { proxyUrl: proxy.serviceUrl });
        this.scrapeTargets = renderScrapeTargets(this.published);

        this.core = core;
        this.webUrl = core.webUrl;
        this.viewerUrl = site.viewerUrl;
        this.archiveUis = site.archiveUis;
        this.dicomEndpoints = site.dicomEndpoints;
        this.dicomEndpoint = site.dicomEndpoint;
        this.caCertificatePem = core.certificates.caCertificatePem;
        this.certificateExpiries = core.certificates.expiries;
        this.warnings = platformWarnings(config);
        for (const warning of this.warnings) pulumi.log.warn(warning, this);
        this.adminUsername = site.admin?.username;
        this.adminPassword = site.admin?.password;
        this.webUsername = core.webUser.username;
        this.webPassword = core.webUser.password;
        this.modalityCredentials = core.certificates.modalityCredentials;
        this.orthancPeerCredentials = site.peerCredentials ?? pulumi.secret(pulumi.output<Record<string, { username: string; password: string }>>({}));
        this.registerOutputs({
            adminPassword: this.adminPassword,
            archiveUis: this.archiveUis,
            caCertificatePem: this.caCertificatePem,
            certificateExpiries: this.certificateExpiries,
            dicomEndpoint: this.dicomEndpoint,
            dicomEndpoints: this.dicomEndpoints,
            modalityCredentials: this.modalityCredentials,
            orthancPeerCredentials: this.orthancPeerCredentials,
            viewerUrl: this.viewerUrl,
            warnings: this.warnings,
            webPassword: this.webPassword,
            webUrl: this.webUrl,
        });
    }
}

/** The settings part of a PlatformArgs (without the provider options and services). */
function settingsOf(args: PlatformSettings & PlatformExtras): PlatformSettings {
    const { provider: _provider, keptObjectProvider: _kept, keptSecrets: _secrets, services: _services, identity: _identity, ...settings } = args;
    return settings;
}
