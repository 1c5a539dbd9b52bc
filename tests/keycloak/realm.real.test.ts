import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_GROUP, ARCHIVE_UI_CLIENT_ID, PROXY_CLIENT_ID, REALM_NAME, renderRealm, SCRIPTS_CLIENT_ID, USER_GROUP, withClientSecrets } from "../../components/keycloak/realm";
import { KEYCLOAK_VERSION } from "../../components/keycloak/version";
import { renderPgHba } from "../../components/postgres/values";
import { KEYCLOAK_JAVA_HOME, keycloakDist, RunningKeycloak, startKeycloak } from "../harness/real/keycloak";
import { runTool } from "../harness/real/tools";
import { clientCredentialsToken, decodeJwt, LoginClient, LoginFlow } from "../harness/real/keycloak-login";
import { pacstackPostgresSettings } from "../harness/real/pacstack-postgres";
import { createTestPki } from "../harness/real/pki";
import { PostgresServer, startPostgres } from "../harness/real/postgres";
import { freePort, stopAllProcesses } from "../harness/real/processes";

/**
 * The rendered realm on the real Keycloak (Maven Central's keycloak-quarkus-dist at the image's version), imported at
 * its first start, with its database on a real PostgreSQL run as pacstack renders it (TLS and SCRAM only), made by the
 * database Job's program, reached with verify-full: the clients, groups, password
 * policy and brute-force detection do what the realm document says, through the real login form and token endpoint.
 */
describe(`Keycloak ${KEYCLOAK_VERSION}: the rendered realm (real Keycloak, real PostgreSQL)`, function () {
    this.timeout(900_000);
    let work: string;
    let postgres: PostgresServer;
    let keycloak: RunningKeycloak;
    const redirectUri = "https://pacs.example.test/oauth2/callback";
    const archiveUi = "https://pacs.example.test/dcm4chee-arc/ui2/*";
    const secrets = { [PROXY_CLIENT_ID]: randomBytes(24).toString("base64url"), [SCRIPTS_CLIENT_ID]: randomBytes(24).toString("base64url") };
    let browser: LoginClient;
    const realmApi = (method: string, path: string, body?: unknown) => keycloak.adminApi(method, `/${REALM_NAME}${path}`, body);

    /** A person (created here by the test, as an administrator would) with a password and a group. */
    async function createUser(username: string, password: string, group?: string): Promise<string> {
        await realmApi("POST", "/users", { username, enabled: true, email: `${username}@example.test`, emailVerified: true, firstName: username, lastName: "Test" });
        const [user] = (await realmApi("GET", `/users?exact=true&username=${username}`)) as { id: string }[];
        await realmApi("PUT", `/users/${user.id}/reset-password`, { type: "password", value: password, temporary: false });
        if (group) {
            const [found] = (await realmApi("GET", `/groups?exact=true&search=${group}`)) as { id: string }[];
            await realmApi("PUT", `/users/${user.id}/groups/${found.id}`);
        }
        return user.id;
    }

    before(async () => {
        work = mkdtempSync(join(tmpdir(), "pacstack-keycloak-"));
        chmodSync(work, 0o711);
        const pki = await createTestPki(join(work, "pki"));
        // pacstack's PostgreSQL: its pg_hba.conf (TLS and SCRAM only) and settings; Keycloak's database made by its Job.
        postgres = await startPostgres({
            dir: join(work, "postgres"),
            port: await freePort(),
            tls: { cert: pki.server.cert, key: pki.server.key },
            hba: renderPgHba(),
            settings: pacstackPostgresSettings(),
            logName: "keycloak-postgres",
        });
        keycloak = await startKeycloak({
            dir: join(work, "keycloak"),
            database: { postgres, caCertFile: pki.ca.cert },
            realm: withClientSecrets(renderRealm({ redirectUris: [redirectUri], archiveUiRedirectUris: [archiveUi] }), secrets),
        });
        browser = { keycloakUrl: keycloak.url, realm: REALM_NAME, clientId: PROXY_CLIENT_ID, clientSecret: secrets[PROXY_CLIENT_ID], redirectUri };
    });
    after(async () => {
        await keycloak?.stop();
        await postgres?.stop();
        await stopAllProcesses();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("keeps its data in PostgreSQL over TLS, and the management port reports ready", async () => {
        const sessions = await postgres.sql("select count(*) filter (where ssl), count(*) from pg_stat_ssl join pg_stat_activity using (pid) where usename = 'keycloak'");
        const [encrypted, total] = sessions.split("|").map(Number);
        assert.ok(total > 0, "Keycloak holds sessions to its database");
        assert.equal(encrypted, total, "every Keycloak session is encrypted");
        assert.equal(await postgres.sql("select count(*) from realm where name = 'pacstack'", "keycloak"), "1");
        const health = (await (await fetch(`${keycloak.managementUrl}/health/ready`)).json()) as { status: string };
        assert.equal(health.status, "UP");
    });

    it("imported the groups and both clients as rendered (confidential, PKCE S256 required, no direct grant)", async () => {
        const groups = ((await realmApi("GET", "/groups")) as { name: string }[]).map((g) => g.name).sort();
        assert.deepEqual(groups, [ADMIN_GROUP, USER_GROUP]);
        const [proxy] = (await realmApi("GET", `/clients?clientId=${PROXY_CLIENT_ID}`)) as Record<string, unknown>[];
        assert.equal(proxy.publicClient, false);
        assert.equal(proxy.directAccessGrantsEnabled, false);
        assert.deepEqual(proxy.redirectUris, [redirectUri]);
        assert.equal((proxy.attributes as Record<string, string>)["pkce.code.challenge.method"], "S256");
        const users = (await realmApi("GET", "/users")) as { username: string }[];
        assert.deepEqual(users, [], "no person exists: the realm creates no user with a password");
    });

    it("gives the scripts' client a client-credentials token whose audience is the sign-in client, with its group", async () => {
        const token = await clientCredentialsToken(keycloak.url, REALM_NAME, SCRIPTS_CLIENT_ID, secrets[SCRIPTS_CLIENT_ID]);
        assert.equal(token.status, 200, JSON.stringify(token.body));
        const claims = decodeJwt(token.body.access_token as string);
        assert.ok(([] as unknown[]).concat(claims.aud).includes(PROXY_CLIENT_ID), `aud ${JSON.stringify(claims.aud)}`);
        assert.deepEqual(claims.groups, [USER_GROUP]);
        assert.equal(claims.iss, `${keycloak.url}/realms/${REALM_NAME}`);
        const wrong = await clientCredentialsToken(keycloak.url, REALM_NAME, SCRIPTS_CLIENT_ID, "not-the-secret");
        assert.equal(wrong.status, 401);
        // The browser client has no service account: it cannot be used as a script credential.
        const proxyAsScript = await clientCredentialsToken(keycloak.url, REALM_NAME, PROXY_CLIENT_ID, secrets[PROXY_CLIENT_ID]);
        assert.notEqual(proxyAsScript.status, 200);
    });

    it("refuses an authorization request without PKCE or with the plain method, before any login form", async () => {
        for (const pkce of [false, "plain"] as const) {
            const opened = await new LoginFlow(browser).open(pkce);
            assert.equal(opened.status, 302, `PKCE ${pkce}: ${opened.page}`);
            const location = new URL(opened.location ?? "");
            assert.equal(`${location.origin}${location.pathname}`, redirectUri);
            assert.equal(location.searchParams.get("error"), "invalid_request", `PKCE ${pkce}`);
            assert.equal(location.searchParams.get("code"), null);
        }
        const other = await new LoginFlow({ ...browser, redirectUri: "https://pacs.example.test/oauth2/callback/../evil" }).open();
        assert.equal(other.status, 400, "a redirect URI that is not exactly registered is refused");
    });

    it("signs a person in through the login form: the token has the audience and the groups claim; a wrong verifier is refused", async () => {
        const password = `Long-enough-${randomBytes(6).toString("hex")}`;
        await createUser("alice", password, ADMIN_GROUP);
        const flow = new LoginFlow(browser);
        const form = await flow.open();
        assert.equal(form.status, 200);
        assert.match(form.page, /Sign in to your account|Username or email/);
        const signedIn = await flow.submit("alice", password);
        assert.equal(signedIn.status, 302, signedIn.page);
        assert.ok(signedIn.code, `redirected to ${signedIn.location}`);
        const tokens = await flow.redeem(signedIn.code);
        assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
        for (const name of ["id_token", "access_token"]) {
            const claims = decodeJwt(tokens.body[name] as string);
            assert.deepEqual(claims.groups, [ADMIN_GROUP], name);
            assert.ok(([] as unknown[]).concat(claims.aud).includes(PROXY_CLIENT_ID), `${name} aud ${JSON.stringify(claims.aud)}`);
        }
        const again = new LoginFlow(browser);
        await again.open();
        const second = await again.submit("alice", password);
        assert.ok(second.code);
        const stolen = await again.redeem(second.code, randomBytes(32).toString("base64url"));
        assert.equal(stolen.status, 400, "a code is worthless without its PKCE verifier");
    });

    it("gives dcm4chee's UI client (public, no PKCE, as the image's Wildfly signs in) the person's groups as its only realm roles", async () => {
        const ui = { keycloakUrl: keycloak.url, realm: REALM_NAME, clientId: ARCHIVE_UI_CLIENT_ID, clientSecret: "", redirectUri: "https://pacs.example.test/dcm4chee-arc/ui2/en/index.html" };
        for (const [username, group] of [["dana", ADMIN_GROUP], ["dirk", USER_GROUP]] as const) {
            const password = `Long-enough-${randomBytes(6).toString("hex")}`;
            await createUser(username, password, group);
            const flow = new LoginFlow(ui);
            assert.equal((await flow.open(false)).status, 200, "the login form, without a PKCE challenge");
            const signedIn = await flow.submit(username, password);
            assert.ok(signedIn.code, `redirected to ${signedIn.location}`);
            const tokens = await flow.redeem(signedIn.code, "");
            assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
            const claims = decodeJwt(tokens.body.access_token as string);
            assert.deepEqual((claims.realm_access as { roles: string[] }).roles, [group], `${username}: ${JSON.stringify(claims.realm_access)}`);
            assert.equal(claims.azp, ARCHIVE_UI_CLIENT_ID);
        }
        // Only the UI's own pages may receive its codes.
        for (const elsewhere of ["https://pacs.example.test/orthanc/", "https://pacs.example.test/dcm4chee-arc/aets/DCM4CHEE/rs/studies", "https://evil.example.test/dcm4chee-arc/ui2/"]) {
            assert.equal((await new LoginFlow({ ...ui, redirectUri: elsewhere }).open(false)).status, 400, elsewhere);
        }
        const [client] = (await realmApi("GET", `/clients?clientId=${ARCHIVE_UI_CLIENT_ID}`)) as Record<string, unknown>[];
        assert.equal(client.publicClient, true);
        assert.equal(client.directAccessGrantsEnabled, false);
        assert.equal(client.serviceAccountsEnabled, false);
    });

    it("refuses a password the policy forbids", async () => {
        await realmApi("POST", "/users", { username: "bob", enabled: true, email: "bob@example.test" });
        const [bob] = (await realmApi("GET", "/users?exact=true&username=bob")) as { id: string }[];
        for (const weak of ["short1!", "bob", "bob-is-my-name-forever", "bob@example.test"]) {
            await assert.rejects(realmApi("PUT", `/users/${bob.id}/reset-password`, { type: "password", value: weak, temporary: false }), /400.*invalidPassword/, weak);
        }
        await realmApi("PUT", `/users/${bob.id}/reset-password`, { type: "password", value: `Long-enough-${randomBytes(6).toString("hex")}`, temporary: false });
    });

    it("shows a wrong password as an error, and locks the account after repeated failures", async () => {
        const password = `Long-enough-${randomBytes(6).toString("hex")}`;
        const userId = await createUser("carol", password, USER_GROUP);
        const flow = new LoginFlow(browser);
        await flow.open();
        const wrong = await flow.submit("carol", "not-her-password");
        assert.equal(wrong.status, 200);
        assert.match(wrong.page, /Invalid username or password/);
        const lockStatus = async () => (await realmApi("GET", `/attack-detection/brute-force/users/${userId}`)) as { disabled: boolean; numFailures: number };
        // Spaced wider than quickLoginCheckMilliSeconds, so the count of failures (failureFactor 5) is what locks.
        const pause = () => new Promise((done) => setTimeout(done, 1_200));
        for (let attempt = 2; attempt <= 4; attempt++) {
            await pause();
            await flow.submit("carol", `wrong-${attempt}`);
        }
        assert.deepEqual(await lockStatus().then((s) => [s.disabled, s.numFailures]), [false, 4], "four failures do not lock yet");
        await pause();
        await flow.submit("carol", "wrong-5");
        const status = await lockStatus();
        assert.equal(status.disabled, true, JSON.stringify(status));
        const locked = await flow.submit("carol", password);
        assert.equal(locked.status, 200, "the right password no longer signs in while locked");
        assert.equal(locked.code, undefined);
        const fresh = new LoginFlow(browser);
        await fresh.open();
        assert.equal((await fresh.submit("carol", password)).code, undefined, "nor in a new sign-in");
        // An administrator unlocks the account: the same password works again.
        await realmApi("DELETE", `/attack-detection/brute-force/users/${userId}`);
        const unlocked = new LoginFlow(browser);
        await unlocked.open();
        assert.ok((await unlocked.submit("carol", password)).code);
    });

    it("README's admin CLI steps create the first user and put them in a group (kcadm.sh of the same distribution)", async () => {
        const home = await keycloakDist();
        const config = join(work, "kcadm.config");
        const kcadm = async (...args: string[]) => {
            const result = await runTool(join(home, "bin", "kcadm.sh"), [...args, "--config", config], {
                env: { PATH: process.env.PATH, JAVA_HOME: KEYCLOAK_JAVA_HOME, HOME: work },
                timeoutMs: 120_000,
            });
            assert.equal(result.code, 0, `kcadm.sh ${args.join(" ")}:\n${result.output}`);
            return result.stdout;
        };
        // As in README, with the passwords given as options instead of typed at the prompts.
        await kcadm("config", "credentials", "--server", keycloak.url, "--realm", "master", "--user", keycloak.admin.username, "--password", keycloak.admin.password);
        await kcadm("create", "users", "-r", REALM_NAME, "-s", "username=erin", "-s", "enabled=true", "-s", "email=erin@example.org", "-s", "emailVerified=true", "-s", "firstName=Erin", "-s", "lastName=Example");
        const password = `Long-enough-${randomBytes(6).toString("hex")}`;
        await kcadm("set-password", "-r", REALM_NAME, "--username", "erin", "--new-password", password);
        const [group] = JSON.parse(await kcadm("get", "groups", "-r", REALM_NAME, "-q", `search=${ADMIN_GROUP}`, "--fields", "id")) as { id: string }[];
        const [erin] = (await realmApi("GET", "/users?exact=true&username=erin")) as { id: string }[];
        await kcadm("update", `users/${erin.id}/groups/${group.id}`, "-r", REALM_NAME, "-n");
        const flow = new LoginFlow(browser);
        await flow.open();
        const signedIn = await flow.submit("erin", password);
        assert.ok(signedIn.code, signedIn.page);
        const tokens = await flow.redeem(signedIn.code);
        assert.deepEqual(decodeJwt(tokens.body.id_token as string).groups, [ADMIN_GROUP]);
    });
});
