import assert from "node:assert/strict";
import {
    ADMIN_GROUP,
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
});
