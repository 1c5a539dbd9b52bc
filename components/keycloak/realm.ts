/**
 * pacstack's Keycloak realm as code: a pure renderer of the realm document (Keycloak's RealmRepresentation, the
 * JSON the admin API and realm import take). Client secrets are never part of it: the sync job adds them from a
 * Secret (withClientSecrets), so the document can sit in a ConfigMap and in test snapshots.
 */

export const REALM_NAME = "pacstack";
/** Groups: members of the first may use the administration UIs, of the second the viewer and archives. */
export const ADMIN_GROUP = "pacstack-admin";
export const USER_GROUP = "pacstack-user";
/** The browser sign-in client oauth2-proxy uses (confidential, authorization code with PKCE S256). */
export const PROXY_CLIENT_ID = "oauth2-proxy";
/** The client scripts use (client credentials grant): its tokens carry the proxy client as audience. */
export const SCRIPTS_CLIENT_ID = "pacstack-scripts";
/**
 * The client dcm4chee's secured UI signs in with (the image's UI_CLIENT_ID): public, authorization code, its tokens
 * carry the person's groups as realm roles (`realm_access.roles`), where the archive's Wildfly reads roles.
 */
export const ARCHIVE_UI_CLIENT_ID = "dcm4chee-arc-ui";

/** Keycloak's brute-force detection (realm settings of the same names). */
export interface BruteForcePolicy {
    /** Failed logins before the account is locked. @default 5 */
    failureFactor?: number;
    /** First lockout; each further failure adds as much, up to maxFailureWaitSeconds. @default 60 */
    waitIncrementSeconds?: number;
    /** @default 900 */
    maxFailureWaitSeconds?: number;
    /** Failures older than this are forgotten. @default 43200 (12 hours) */
    maxDeltaTimeSeconds?: number;
}

export interface RealmInput {
    /**
     * Where oauth2-proxy receives the authorization code, exactly (no wildcard), e.g.
     * `https://pacs.example.org/oauth2/callback`: the only redirect URIs Keycloak accepts for the browser client.
     */
    redirectUris: string[];
    /** Where Keycloak may send the browser after sign-out (exact URLs). @default the origins of redirectUris, with a trailing / */
    postLogoutRedirectUris?: string[];
    /** Minimum password length. @default 12 */
    passwordMinLength?: number;
    bruteForce?: BruteForcePolicy;
    /**
     * Redirect URIs of dcm4chee's UI client, each the UI's https base ending in `/*` (Wildfly sends the page the
     * browser asked for as redirect URI). Empty or unset: no such client (no dcm4chee, or no single sign-on).
     * @default none
     */
    archiveUiRedirectUris?: string[];
}

const DEFAULT_BRUTE_FORCE: Required<BruteForcePolicy> = {
    failureFactor: 5,
    waitIncrementSeconds: 60,
    maxFailureWaitSeconds: 900,
    maxDeltaTimeSeconds: 43_200,
};

/** Problems with a RealmInput (empty when valid): exact https URLs only, sane numbers. */
export function realmInputProblems(input: RealmInput): string[] {
    const problems: string[] = [];
    const urls = [...input.redirectUris.map((u) => ["redirectUris", u]), ...(input.postLogoutRedirectUris ?? []).map((u) => ["postLogoutRedirectUris", u])];
    if (input.redirectUris.length === 0) problems.push("redirectUris: at least one is needed");
    for (const [key, url] of urls) {
        let parsed: URL | undefined;
        try {
            parsed = new URL(url);
        } catch {
            /* reported below */
        }
        if (!parsed || parsed.protocol !== "https:" || url.includes("*") || parsed.username || parsed.password || parsed.hash) {
            problems.push(`${key}: ${JSON.stringify(url)} is not an exact https URL (no wildcard, credentials or fragment)`);
        }
    }
    for (const url of input.archiveUiRedirectUris ?? []) {
        let parsed: URL | undefined;
        try {
            parsed = new URL(url);
        } catch {
            /* reported below */
        }
        const base = url.slice(0, -1);
        if (!parsed || parsed.protocol !== "https:" || !url.endsWith("/*") || base.includes("*") || parsed.username || parsed.password || parsed.hash || parsed.search) {
            problems.push(`archiveUiRedirectUris: ${JSON.stringify(url)} is not an https URL ending in /* with no other wildcard, credentials, query or fragment`);
        }
    }
    const min = input.passwordMinLength ?? 12;
    if (!Number.isInteger(min) || min < 8 || min > 128) problems.push(`passwordMinLength: ${min} is not an integer from 8 to 128`);
    for (const [key, value] of Object.entries(input.bruteForce ?? {})) {
        if (!Number.isInteger(value) || value < 1) problems.push(`bruteForce.${key}: ${value} is not a positive integer`);
    }
    return problems;
}

function audienceMapper(audience: string): Record<string, unknown> {
    return {
        name: `audience-${audience}`,
        protocol: "openid-connect",
        protocolMapper: "oidc-audience-mapper",
        config: { "included.client.audience": audience, "access.token.claim": "true", "id.token.claim": "true", "introspection.token.claim": "true" },
    };
}

const GROUPS_MAPPER = {
    name: "groups",
    protocol: "openid-connect",
    protocolMapper: "oidc-group-membership-mapper",
    // Plain group names (pacstack-admin), as oauth2-proxy's allowed_groups compares them.
    config: {
        "claim.name": "groups",
        "full.path": "false",
        "access.token.claim": "true",
        "id.token.claim": "true",
        "userinfo.token.claim": "true",
        "introspection.token.claim": "true",
    },
};

const origin = (url: string) => `${new URL(url).origin}/`;

/** The person's plain group names as realm roles: Wildfly's OIDC client reads roles from `realm_access.roles`. */
const GROUPS_AS_REALM_ROLES_MAPPER = {
    name: "groups-as-realm-roles",
    protocol: "openid-connect",
    protocolMapper: "oidc-group-membership-mapper",
    config: { "claim.name": "realm_access.roles", "full.path": "false", "access.token.claim": "true", "id.token.claim": "false", "userinfo.token.claim": "false", "introspection.token.claim": "true" },
};

/** dcm4chee's UI client (ARCHIVE_UI_CLIENT_ID) for the given redirect URIs. */
function archiveUiClient(redirectUris: string[]): Record<string, unknown> {
    return {
        clientId: ARCHIVE_UI_CLIENT_ID,
        name: "dcm4chee archive UI",
        enabled: true,
        protocol: "openid-connect",
        // The image's Wildfly configuration declares it public (no secret) and sends no PKCE challenge, so PKCE
        // cannot be required; the exact UI base and the edge's admin check bound it instead.
        publicClient: true,
        standardFlowEnabled: true,
        implicitFlowEnabled: false,
        directAccessGrantsEnabled: false,
        serviceAccountsEnabled: false,
        frontchannelLogout: false,
        redirectUris: [...redirectUris],
        webOrigins: [...new Set(redirectUris.map((uri) => new URL(uri).origin))],
        // Without the default "roles" scope the only realm roles in its tokens are the person's groups (mapper below).
        fullScopeAllowed: false,
        defaultClientScopes: ["web-origins", "profile", "email"],
        optionalClientScopes: [],
        attributes: { "post.logout.redirect.uris": redirectUris.map((uri) => new URL(uri).origin + "/").join("##") },
        protocolMappers: [GROUPS_AS_REALM_ROLES_MAPPER],
    };
}

/** The realm document (deterministic: the same input gives the same JSON). */
export function renderRealm(input: RealmInput): Record<string, unknown> {
    const problems = realmInputProblems(input);
    if (problems.length > 0) throw new Error(`invalid realm input: ${problems.join("; ")}`);
    const bruteForce = { ...DEFAULT_BRUTE_FORCE, ...input.bruteForce };
    const postLogout = input.postLogoutRedirectUris ?? [...new Set(input.redirectUris.map(origin))];
    return {
        realm: REALM_NAME,
        enabled: true,
        displayName: "pacstack",
        // Behind Traefik every public request is HTTPS; plain HTTP is accepted from private addresses only.
        sslRequired: "external",
        registrationAllowed: false,
        resetPasswordAllowed: false,
        rememberMe: false,
        loginWithEmailAllowed: true,
        duplicateEmailsAllowed: false,
        editUsernameAllowed: false,
        passwordPolicy: [
            `length(${input.passwordMinLength ?? 12})`,
            "maxLength(128)",
            "notContainsUsername",
            "notEmail",
            "passwordHistory(5)",
        ].join(" and "),
        bruteForceProtected: true,
        permanentLockout: false,
        failureFactor: bruteForce.failureFactor,
        waitIncrementSeconds: bruteForce.waitIncrementSeconds,
        maxFailureWaitSeconds: bruteForce.maxFailureWaitSeconds,
        maxDeltaTimeSeconds: bruteForce.maxDeltaTimeSeconds,
        // Failures in quick succession (scripted guessing) lock at once for a minute.
        quickLoginCheckMilliSeconds: 1000,
        minimumQuickLoginWaitSeconds: 60,
        groups: [{ name: ADMIN_GROUP }, { name: USER_GROUP }],
        // The scripts client's own service account (Keycloak creates it with the client) is a member of the user
        // group, so script tokens pass the same group check as people. No other user is created.
        users: [{ username: `service-account-${SCRIPTS_CLIENT_ID}`, enabled: true, serviceAccountClientId: SCRIPTS_CLIENT_ID, groups: [`/${USER_GROUP}`] }],
        clients: [
            {
                clientId: PROXY_CLIENT_ID,
                name: "pacstack sign-in (oauth2-proxy)",
                enabled: true,
                protocol: "openid-connect",
                publicClient: false,
                clientAuthenticatorType: "client-secret",
                standardFlowEnabled: true,
                implicitFlowEnabled: false,
                directAccessGrantsEnabled: false,
                serviceAccountsEnabled: false,
                frontchannelLogout: false,
                redirectUris: [...input.redirectUris],
                webOrigins: [],
                attributes: {
                    "pkce.code.challenge.method": "S256",
                    "post.logout.redirect.uris": postLogout.join("##"),
                },
                protocolMappers: [audienceMapper(PROXY_CLIENT_ID), GROUPS_MAPPER],
            },
            {
                clientId: SCRIPTS_CLIENT_ID,
                name: "pacstack scripts (client credentials)",
                enabled: true,
                protocol: "openid-connect",
                publicClient: false,
                clientAuthenticatorType: "client-secret",
                standardFlowEnabled: false,
                implicitFlowEnabled: false,
                directAccessGrantsEnabled: false,
                serviceAccountsEnabled: true,
                redirectUris: [],
                webOrigins: [],
                attributes: {},
                // Script tokens name the sign-in client as audience, so the edge accepts them as bearer tokens.
                protocolMappers: [audienceMapper(PROXY_CLIENT_ID), GROUPS_MAPPER],
            },
            ...((input.archiveUiRedirectUris ?? []).length > 0 ? [archiveUiClient(input.archiveUiRedirectUris!)] : []),
        ],
    };
}

/** The realm document with each named client's secret filled in (what the sync job sends; never stored). */
export function withClientSecrets(realm: Record<string, unknown>, secrets: Record<string, string>): Record<string, unknown> {
    const clients = (realm.clients as Record<string, unknown>[]).map((client) => {
        const secret = secrets[client.clientId as string];
        return secret === undefined ? client : { ...client, secret };
    });
    return { ...realm, clients };
}
