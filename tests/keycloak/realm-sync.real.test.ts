import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderRealmSyncScript } from "../../components/keycloak/realm-sync";
import { ADMIN_GROUP, PROXY_CLIENT_ID, REALM_NAME, renderRealm, SCRIPTS_CLIENT_ID, USER_GROUP } from "../../components/keycloak/realm";
import { KEYCLOAK_VERSION } from "../../components/keycloak/version";
import { RunningKeycloak, startKeycloak } from "../harness/real/keycloak";
import { clientCredentialsToken, decodeJwt } from "../harness/real/keycloak-login";
import { createTestPki } from "../harness/real/pki";
import { PostgresServer, startPostgres } from "../harness/real/postgres";
import { freePort, stopAllProcesses } from "../harness/real/processes";
import { runTool, ToolResult } from "../harness/real/tools";

/**
 * The realm sync program exactly as the Job runs it (renderRealmSyncScript, on this Node), against the real Keycloak
 * started without any realm import: the first run creates the realm, a changed document updates it in place (same
 * realm and client ids), a person created in between keeps existing with their group, and a mapper added by hand is
 * removed again.
 */
describe(`Keycloak ${KEYCLOAK_VERSION}: the realm sync program (real Keycloak, real PostgreSQL)`, function () {
    this.timeout(900_000);
    let work: string;
    let postgres: PostgresServer;
    let keycloak: RunningKeycloak;
    const secrets = { [PROXY_CLIENT_ID]: randomBytes(24).toString("base64url"), [SCRIPTS_CLIENT_ID]: randomBytes(24).toString("base64url") };
    const realmApi = (method: string, path: string, body?: unknown) => keycloak.adminApi(method, `/${REALM_NAME}${path}`, body);
    const proxyClient = async () => ((await realmApi("GET", `/clients?clientId=${PROXY_CLIENT_ID}`)) as Record<string, any>[])[0];

    /** Runs the rendered program with a rendered realm, as the Job does (files from the ConfigMap and Secret). */
    async function sync(realm: Record<string, unknown>, clientSecrets = secrets, adminSecret = keycloak.adminClient.secret): Promise<ToolResult> {
        const dir = mkdtempSync(join(work, "sync-"));
        const files = { script: join(dir, "sync.mjs"), realm: join(dir, "realm.json"), secrets: join(dir, "client-secrets.json"), admin: join(dir, "admin-secret") };
        writeFileSync(files.script, renderRealmSyncScript());
        writeFileSync(files.realm, JSON.stringify(realm));
        writeFileSync(files.secrets, JSON.stringify(clientSecrets));
        writeFileSync(files.admin, adminSecret);
        return runTool(process.execPath, [files.script], {
            env: {
                PATH: process.env.PATH,
                KEYCLOAK_URL: keycloak.url,
                SYNC_CLIENT_ID: keycloak.adminClient.clientId,
                SYNC_CLIENT_SECRET_FILE: files.admin,
                REALM_FILE: files.realm,
                CLIENT_SECRETS_FILE: files.secrets,
                WAIT_SECONDS: "60",
            },
            timeoutMs: 300_000,
        });
    }

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-keycloak-sync-"));
        chmodSync(work, 0o711);
        const pki = await createTestPki(join(work, "pki"));
        postgres = await startPostgres({ dir: join(work, "postgres"), port: await freePort(), tls: { cert: pki.server.cert, key: pki.server.key }, logName: "keycloak-sync-postgres" });
        keycloak = await startKeycloak({ dir: join(work, "keycloak"), database: { postgres, caCertFile: pki.ca.cert }, logName: "keycloak-sync" });
    });
    after(async () => {
        await keycloak?.stop();
        await postgres?.stop();
        await stopAllProcesses();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("stops with a clear error when the admin client's secret is wrong, and creates nothing", async () => {
        const refused = await sync(renderRealm({ redirectUris: ["https://pacs.example.test/oauth2/callback"] }), secrets, "wrong");
        assert.equal(refused.code, 1, refused.output);
        assert.match(refused.stderr, /realm sync failed: admin client refused: 401/);
        await assert.rejects(keycloak.adminApi("GET", `/${REALM_NAME}`), /404/);
    });

    it("creates the realm when it is missing, with working client secrets", async () => {
        const created = await sync(renderRealm({ redirectUris: ["https://pacs.example.test/oauth2/callback"] }));
        assert.equal(created.code, 0, created.output);
        assert.match(created.stdout, /created realm pacstack \(2 clients, 2 groups\)/);
        const token = await clientCredentialsToken(keycloak.url, REALM_NAME, SCRIPTS_CLIENT_ID, secrets[SCRIPTS_CLIENT_ID]);
        assert.equal(token.status, 200, JSON.stringify(token.body));
        assert.deepEqual(decodeJwt(token.body.access_token as string).groups, [USER_GROUP]);
    });

    it("updates an existing realm in place on the next run: settings, redirect URIs, secrets and mappers; people untouched", async () => {
        const realmId = ((await keycloak.adminApi("GET", `/${REALM_NAME}`)) as { id: string }).id;
        const clientId = (await proxyClient()).id;
        // Between two runs: an administrator creates a person and puts them in a group, and someone adds a mapper
        // and loosens brute-force detection by hand.
        await realmApi("POST", "/users", { username: "dora", enabled: true });
        const [dora] = (await realmApi("GET", "/users?exact=true&username=dora")) as { id: string }[];
        const [admins] = (await realmApi("GET", `/groups?exact=true&search=${ADMIN_GROUP}`)) as { id: string }[];
        await realmApi("PUT", `/users/${dora.id}/groups/${admins.id}`);
        await realmApi("POST", `/clients/${clientId}/protocol-mappers/models`, {
            name: "smuggled", protocol: "openid-connect", protocolMapper: "oidc-hardcoded-claim-mapper",
            config: { "claim.name": "role", "claim.value": "root", "access.token.claim": "true", "jsonType.label": "String" },
        });
        await keycloak.adminApi("PUT", `/${REALM_NAME}`, { bruteForceProtected: false });

        const rotated = { ...secrets, [SCRIPTS_CLIENT_ID]: randomBytes(24).toString("base64url") };
        const changed = renderRealm({ redirectUris: ["https://pacs.example.test:30443/oauth2/callback"], passwordMinLength: 16, bruteForce: { failureFactor: 3 } });
        const updated = await sync(changed, rotated);
        assert.equal(updated.code, 0, updated.output);
        assert.doesNotMatch(updated.stdout, /created realm/);
        assert.match(updated.stdout, /removed protocol mapper smuggled of client oauth2-proxy/);

        const realm = (await keycloak.adminApi("GET", `/${REALM_NAME}`)) as Record<string, unknown>;
        assert.equal(realm.id, realmId, "the realm was updated, not re-created");
        assert.equal(realm.bruteForceProtected, true);
        assert.equal(realm.failureFactor, 3);
        assert.match(realm.passwordPolicy as string, /^length\(16\)/);
        const proxy = await proxyClient();
        assert.equal(proxy.id, clientId, "the client keeps its internal id");
        assert.deepEqual(proxy.redirectUris, ["https://pacs.example.test:30443/oauth2/callback"]);
        const mappers = ((await realmApi("GET", `/clients/${clientId}/protocol-mappers/models`)) as { name: string }[]).map((m) => m.name).sort();
        assert.deepEqual(mappers, ["audience-oauth2-proxy", "groups"]);
        // The rotated secret is in force, the old one no longer is.
        assert.equal((await clientCredentialsToken(keycloak.url, REALM_NAME, SCRIPTS_CLIENT_ID, rotated[SCRIPTS_CLIENT_ID])).status, 200);
        assert.equal((await clientCredentialsToken(keycloak.url, REALM_NAME, SCRIPTS_CLIENT_ID, secrets[SCRIPTS_CLIENT_ID])).status, 401);
        // The person is still there, still in their group.
        const [still] = (await realmApi("GET", "/users?exact=true&username=dora")) as { id: string }[];
        assert.equal(still?.id, dora.id);
        const groups = ((await realmApi("GET", `/users/${dora.id}/groups`)) as { name: string }[]).map((g) => g.name);
        assert.deepEqual(groups, [ADMIN_GROUP]);
    });

    it("recreates a group removed by hand (and the service account's membership), and a second unchanged run changes nothing that matters", async () => {
        const [users] = (await realmApi("GET", `/groups?exact=true&search=${USER_GROUP}`)) as { id: string }[];
        await realmApi("DELETE", `/groups/${users.id}`);
        const realm = renderRealm({ redirectUris: ["https://pacs.example.test:30443/oauth2/callback"] });
        const first = await sync(realm);
        assert.equal(first.code, 0, first.output);
        assert.match(first.stdout, /created group pacstack-user/);
        const token = await clientCredentialsToken(keycloak.url, REALM_NAME, SCRIPTS_CLIENT_ID, secrets[SCRIPTS_CLIENT_ID]);
        assert.deepEqual(decodeJwt(token.body.access_token as string).groups, [USER_GROUP], "the service account is back in its group");
        const again = await sync(realm);
        assert.equal(again.code, 0, again.output);
        assert.doesNotMatch(again.stdout, /created|removed/);
    });
});
