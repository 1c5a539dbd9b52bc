import assert from "node:assert/strict";
import {
    ADMIN_GROUP,
    ARCHIVE_UI_CLIENT_ID,
    PROXY_CLIENT_ID,
    realmInputProblems,
    renderRealm,
    SCRIPTS_CLIENT_ID,
    USER_GROUP,
    withClientSecrets,
} from "../../components/keycloak/realm";

type Client = Record<string, unknown> & { clientId: string; attributes: Record<string, string>; protocolMappers: { protocolMapper: string; config: Record<string, string> }[] };
const redirectUris = ["https://pacs.example.org/oauth2/callback"];
const clients = (realm: Record<string, unknown>) => Object.fromEntries((realm.clients as Client[]).map((c) => [c.clientId, c]));

describe("keycloak: the realm renderer", () => {
    it("is deterministic and holds no secret", () => {
        const realm = renderRealm({ redirectUris });
        assert.equal(JSON.stringify(realm), JSON.stringify(renderRealm({ redirectUris })));
        assert.doesNotMatch(JSON.stringify(realm), /"secret"/);
    });

    it("has the two groups, password policy and brute-force detection", () => {
        const realm = renderRealm({ redirectUris });
        assert.deepEqual(realm.groups, [{ name: ADMIN_GROUP }, { name: USER_GROUP }]);
        assert.equal(realm.passwordPolicy, "length(12) and maxLength(128) and notContainsUsername and notEmail and passwordHistory(5)");
        assert.equal(realm.bruteForceProtected, true);
        assert.equal(realm.failureFactor, 5);
        assert.equal(realm.registrationAllowed, false);
        assert.equal(renderRealm({ redirectUris, passwordMinLength: 16, bruteForce: { failureFactor: 3 } }).failureFactor, 3);
        assert.match(renderRealm({ redirectUris, passwordMinLength: 16 }).passwordPolicy as string, /^length\(16\)/);
    });

    it("creates no user but the scripts client's service account", () => {
        const users = renderRealm({ redirectUris }).users as Record<string, unknown>[];
        assert.deepEqual(users.map((u) => [u.username, u.serviceAccountClientId]), [[`service-account-${SCRIPTS_CLIENT_ID}`, SCRIPTS_CLIENT_ID]]);
        assert.ok(users.every((u) => !("credentials" in u)));
    });

    it("renders the sign-in client confidential, code flow only, PKCE S256, exact redirect URIs, audience and groups mappers", () => {
        const proxy = clients(renderRealm({ redirectUris }))[PROXY_CLIENT_ID];
        assert.equal(proxy.publicClient, false);
        assert.equal(proxy.standardFlowEnabled, true);
        assert.deepEqual([proxy.implicitFlowEnabled, proxy.directAccessGrantsEnabled, proxy.serviceAccountsEnabled], [false, false, false]);
        assert.deepEqual(proxy.redirectUris, redirectUris);
        assert.equal(proxy.attributes["pkce.code.challenge.method"], "S256");
        assert.equal(proxy.attributes["post.logout.redirect.uris"], "https://pacs.example.org/");
        const mappers = Object.fromEntries(proxy.protocolMappers.map((m) => [m.protocolMapper, m.config]));
        assert.equal(mappers["oidc-audience-mapper"]["included.client.audience"], PROXY_CLIENT_ID);
        assert.equal(mappers["oidc-group-membership-mapper"]["claim.name"], "groups");
        assert.equal(mappers["oidc-group-membership-mapper"]["full.path"], "false");
    });

    it("renders the scripts client for the client-credentials grant only", () => {
        const scripts = clients(renderRealm({ redirectUris }))[SCRIPTS_CLIENT_ID];
        assert.deepEqual([scripts.serviceAccountsEnabled, scripts.standardFlowEnabled, scripts.directAccessGrantsEnabled], [true, false, false]);
        assert.deepEqual(scripts.redirectUris, []);
    });

    it("adds client secrets only in withClientSecrets, without changing the rendered document", () => {
        const realm = renderRealm({ redirectUris });
        const before = JSON.stringify(realm);
        const filled = clients(withClientSecrets(realm, { [PROXY_CLIENT_ID]: "p", [SCRIPTS_CLIENT_ID]: "s" }));
        assert.equal(filled[PROXY_CLIENT_ID].secret, "p");
        assert.equal(filled[SCRIPTS_CLIENT_ID].secret, "s");
        assert.equal(JSON.stringify(realm), before);
    });

    it("refuses redirect URIs a stranger could abuse: wildcards, plain http, credentials, fragments, relative ones", () => {
        for (const bad of ["https://pacs.example.org/*", "http://pacs.example.org/oauth2/callback", "https://user:pw@pacs.example.org/cb", "https://pacs.example.org/cb#x", "/oauth2/callback", "*"]) {
            assert.ok(realmInputProblems({ redirectUris: [bad] }).length > 0, bad);
            assert.throws(() => renderRealm({ redirectUris: [bad] }), /redirectUris/, bad);
        }
        assert.match(realmInputProblems({ redirectUris: [] }).join(), /at least one/);
        assert.match(realmInputProblems({ redirectUris, passwordMinLength: 4 }).join(), /passwordMinLength: 4/);
        assert.match(realmInputProblems({ redirectUris, bruteForce: { failureFactor: 0 } }).join(), /bruteForce.failureFactor: 0/);
    });

    it("adds dcm4chee's UI client only when asked: public, code flow only, its UI's pages only, the person's groups as its realm roles", () => {
        assert.equal(clients(renderRealm({ redirectUris }))[ARCHIVE_UI_CLIENT_ID], undefined);
        const ui = clients(renderRealm({ redirectUris, archiveUiRedirectUris: ["https://pacs.example.org/dcm4chee-arc/ui2/*"] }))[ARCHIVE_UI_CLIENT_ID];
        assert.equal(ARCHIVE_UI_CLIENT_ID, "dcm4chee-arc-ui", "the image's default UI_CLIENT_ID");
        assert.deepEqual([ui.publicClient, ui.standardFlowEnabled, ui.implicitFlowEnabled, ui.directAccessGrantsEnabled, ui.serviceAccountsEnabled], [true, true, false, false, false]);
        assert.deepEqual(ui.redirectUris, ["https://pacs.example.org/dcm4chee-arc/ui2/*"]);
        assert.deepEqual(ui.webOrigins, ["https://pacs.example.org"]);
        assert.equal(ui.fullScopeAllowed, false);
        assert.ok(!(ui.defaultClientScopes as string[]).includes("roles"), "Keycloak's own realm roles stay out of realm_access");
        assert.deepEqual(ui.protocolMappers.map((m) => [m.protocolMapper, m.config["claim.name"], m.config["full.path"]]), [["oidc-group-membership-mapper", "realm_access.roles", "false"]]);
        assert.equal(ui.attributes["pkce.code.challenge.method"], undefined, "Wildfly's OIDC client of the image sends no PKCE challenge");
    });

    it("refuses a UI redirect URI that is not an https base ending in /*", () => {
        for (const bad of ["https://pacs.example.org/dcm4chee-arc/ui2/", "http://pacs.example.org/dcm4chee-arc/ui2/*", "https://*.example.org/dcm4chee-arc/ui2/*", "https://pacs.example.org/*/ui2/*", "https://u:p@pacs.example.org/ui2/*", "https://pacs.example.org/ui2/*?x=1", "*"]) {
            assert.match(realmInputProblems({ redirectUris, archiveUiRedirectUris: [bad] }).join(), /archiveUiRedirectUris/, bad);
        }
        assert.deepEqual(realmInputProblems({ redirectUris, archiveUiRedirectUris: ["https://pacs.minikube.test:30443/dcm4chee-arc/ui2/*"] }), []);
    });
});
