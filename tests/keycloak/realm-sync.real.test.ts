import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { renderRealmSyncScript } from "../../components/keycloak/realm-sync";
import { renderKeycloakValues } from "../../components/keycloak/values";
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
 * removed again. Keycloak runs with the chart values' hostname and proxy options (a public https URL, the
 * backchannel answering on whatever URL in-cluster clients use), as the sync Job meets it in the cluster.
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

    const PUBLIC_URL = "https://pacs.example.test/auth";
    const chartValues = renderKeycloakValues({
        fullname: "pacstack-keycloak",
        image: { registry: "quay.io", repository: "keycloak/keycloak", tag: KEYCLOAK_VERSION },
        replicas: 1,
        publicUrl: PUBLIC_URL,
        database: { host: "localhost", port: 5432, name: "keycloak", username: "keycloak" },
        adminUsername: "pacstack-admin",
        syncClientId: "pacstack-realm-sync",
        secretName: "s",
        databaseCaSecret: "ca",
        resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
    }) as Record<string, any>;
    const chartEnv = Object.fromEntries((parse(chartValues.extraEnv) as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? ""]));

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-keycloak-sync-"));
        chmodSync(work, 0o711);
        const pki = await createTestPki(join(work, "pki"));
        postgres = await startPostgres({ dir: join(work, "postgres"), port: await freePort(), tls: { cert: pki.server.cert, key: pki.server.key }, logName: "keycloak-sync-postgres" });
        keycloak = await startKeycloak({
            dir: join(work, "keycloak"),
            database: { postgres, caCertFile: pki.ca.cert },
            hostname: chartEnv.KC_HOSTNAME,
            proxyHeaders: chartValues.proxy.mode === "xforwarded",
            extraArgs: [`--hostname-backchannel-dynamic=${chartEnv.KC_HOSTNAME_BACKCHANNEL_DYNAMIC}`],
            logName: "keycloak-sync",
        });
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

    it("issues tokens for the public URL while in-cluster clients talk to it on their own URL (split issuer)", async () => {
        const discovery = (await (await fetch(`${keycloak.url}/realms/master/.well-known/openid-configuration`)).json()) as Record<string, string>;
        assert.equal(discovery.issuer, `${PUBLIC_URL}/realms/master`);
        assert.equal(discovery.authorization_endpoint, `${PUBLIC_URL}/realms/master/protocol/openid-connect/auth`, "browsers are sent to the public host");
        assert.equal(discovery.token_endpoint, `${keycloak.url}/realms/master/protocol/openid-connect/token`, "the backchannel answers on the caller's URL");
        assert.equal(discovery.jwks_uri, `${keycloak.url}/realms/master/protocol/openid-connect/certs`);
    });

    it("creates the realm when it is missing, with working client secrets", async () => {
        const created = await sync(renderRealm({ redirectUris: ["https://pacs.example.test/oauth2/callback"] }));
        assert.equal(created.code, 0, created.output);
        assert.match(created.stdout, /created realm pacstack \(2 clients, 2 groups\)/);
        const token = await clientCredentialsToken(keycloak.url, REALM_NAME, SCRIPTS_CLIENT_ID, secrets[SCRIPTS_CLIENT_ID]);
        assert.equal(token.status, 200, JSON.stringify(token.body));
        const claims = decodeJwt(token.body.access_token as string);
        assert.deepEqual(claims.groups, [USER_GROUP]);
        assert.equal(claims.iss, `${PUBLIC_URL}/realms/${REALM_NAME}`, "a token fetched in the cluster names the public issuer");
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
