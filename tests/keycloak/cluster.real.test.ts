import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROXY_CLIENT_ID, REALM_NAME, renderRealm, SCRIPTS_CLIENT_ID, withClientSecrets } from "../../components/keycloak/realm";
import { KEYCLOAK_VERSION } from "../../components/keycloak/version";
import { renderPgHba } from "../../components/postgres/values";
import { RunningKeycloak, startKeycloak } from "../harness/real/keycloak";
import { LoginFlow } from "../harness/real/keycloak-login";
import { pacstackPostgresSettings } from "../harness/real/pacstack-postgres";
import { createTestPki } from "../harness/real/pki";
import { PostgresServer, startPostgres } from "../harness/real/postgres";
import { freePort, stopAllProcesses, waitFor } from "../harness/real/processes";

/**
 * Two Keycloak servers on one database, as two replicas run: with the image's default cache stack (JDBC_PING, what
 * the chart values select) they find each other through the database and form one Infinispan cluster; a session
 * made on the first is known to the second, and ended on the second it is gone on the first.
 */
describe(`Keycloak ${KEYCLOAK_VERSION}: two replicas form one cluster (real Keycloak, real PostgreSQL)`, function () {
    this.timeout(1_200_000);
    let work: string;
    let postgres: PostgresServer;
    let first: RunningKeycloak;
    let second: RunningKeycloak;
    const secrets = { [PROXY_CLIENT_ID]: randomBytes(24).toString("base64url"), [SCRIPTS_CLIENT_ID]: randomBytes(24).toString("base64url") };
    const clusterSize = (keycloak: RunningKeycloak) => {
        const views = [...readFileSync(keycloak.process.log, "utf8").matchAll(/ISPN000094: Received new cluster view for channel ISPN: \[[^\]]*\] \((\d+)\)/g)];
        return views.length ? Number(views.at(-1)![1]) : 0;
    };

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-keycloak-cluster-"));
        chmodSync(work, 0o711);
        const pki = await createTestPki(join(work, "pki"));
        postgres = await startPostgres({
            dir: join(work, "postgres"),
            port: await freePort(),
            tls: { cert: pki.server.cert, key: pki.server.key },
            hba: renderPgHba(),
            settings: pacstackPostgresSettings(),
            logName: "keycloak-cluster-postgres",
        });
        const realm = withClientSecrets(renderRealm({ redirectUris: ["https://pacs.example.test/oauth2/callback"] }), secrets);
        // One public URL for both, as replicas behind one Service have (here: the first server's), and each answering
        // back-channel calls on its own URL, as the chart values set it.
        const port = await freePort();
        const shared = { hostname: `http://127.0.0.1:${port}/auth`, extraArgs: ["--hostname-backchannel-dynamic=true"] };
        first = await startKeycloak({ dir: join(work, "first"), database: { postgres, caCertFile: pki.ca.cert }, realm, port, ...shared, logName: "keycloak-cluster-1" });
        second = await startKeycloak({
            dir: join(work, "second"), database: first.database, admin: first.admin, adminClient: first.adminClient, ...shared, logName: "keycloak-cluster-2",
        });
    });
    after(async () => {
        await second?.stop();
        await first?.stop();
        await postgres?.stop();
        await stopAllProcesses();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("the two servers see one cluster of two members", async () => {
        await waitFor("a cluster view of two members on both servers", async () => clusterSize(first) === 2 && clusterSize(second) === 2, { timeoutMs: 120_000, intervalMs: 1_000 });
        // The stack the chart's `cache.stack: default` selects (KC_CACHE_STACK=jdbc-ping), its traffic encrypted.
        for (const server of [first, second]) {
            const log = readFileSync(server.process.log, "utf8");
            assert.match(log, /Starting JGroups channel `ISPN` with stack `jdbc-ping`/);
            assert.match(log, /JGroups Encryption enabled \(mTLS\)/);
        }
    });

    it("a person signed in on one is signed in on the other, and signed out on both when one ends the session", async () => {
        const realmApi = (keycloak: RunningKeycloak, method: string, path: string, body?: unknown) => keycloak.adminApi(method, `/${REALM_NAME}${path}`, body);
        await realmApi(first, "POST", "/users", { username: "fay", enabled: true, email: "fay@example.test", emailVerified: true, firstName: "Fay", lastName: "Test" });
        const [fay] = (await realmApi(first, "GET", "/users?exact=true&username=fay")) as { id: string }[];
        const password = `Long-enough-${randomBytes(6).toString("hex")}`;
        await realmApi(first, "PUT", `/users/${fay.id}/reset-password`, { type: "password", value: password, temporary: false });
        const redirectUri = "https://pacs.example.test/oauth2/callback";
        const flow = new LoginFlow({ keycloakUrl: first.url, realm: REALM_NAME, clientId: PROXY_CLIENT_ID, clientSecret: secrets[PROXY_CLIENT_ID], redirectUri });
        await flow.open();
        const signedIn = await flow.submit("fay", password);
        assert.ok(signedIn.code, signedIn.page);
        const tokens = await flow.redeem(signedIn.code);
        assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
        const introspect = (keycloak: RunningKeycloak) =>
            fetch(`${keycloak.url}/realms/${REALM_NAME}/protocol/openid-connect/token/introspect`, {
                method: "POST",
                body: new URLSearchParams({ token: tokens.body.access_token as string, client_id: PROXY_CLIENT_ID, client_secret: secrets[PROXY_CLIENT_ID] }),
            }).then(async (answer) => (await answer.json()) as { active: boolean });
        assert.equal((await introspect(first)).active, true);
        assert.equal((await introspect(second)).active, true, "the second server knows the session the first one made");
        await realmApi(second, "POST", `/users/${fay.id}/logout`);
        await waitFor("the first server to forget the session ended on the second", async () => (await introspect(first)).active === false, { timeoutMs: 30_000, intervalMs: 500 });
    });
});
