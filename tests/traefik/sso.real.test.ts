import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ADMIN_GROUP, PROXY_CLIENT_ID, REALM_NAME, USER_GROUP } from "../../components/keycloak/realm";
import { renderProxyAlphaConfig, renderProxyArguments } from "../../components/oauth2-proxy/settings";
import { BACKEND_AUTHORIZATION_ENV } from "../../components/oauth2-proxy/values";
import { COOKIE_REFRESH } from "../../components/oauth2-proxy/settings";
import { SESSION_STORE_USER } from "../../components/session-store/settings";
import { EdgeAnswer, edgeRequest } from "../harness/edge/client";
import { SsoEdge, startSsoEdge } from "../harness/edge/sso";
import { signIn, withJar } from "../harness/edge/sso-login";
import { freshCtSample, store } from "../harness/real/dicom";
import { chromium } from "playwright-core";
import { HEADLESS_CHROMIUM_ARGS, requireBinary } from "../harness/real/binaries";
import { spkiHash } from "../harness/edge/stack";
import { REPO_ROOT } from "../harness/stack-config";

/** Screenshots of the sign-in (gitignored, beside the viewer test's). */
const SCREENSHOT_DIR = join(REPO_ROOT, "test-output", "browser");

/**
 * Single sign-on at the real edge: Traefik reading the SSO program's rendered routes from the real kube-apiserver,
 * its forwardAuth Middlewares asking oauth2-proxy (built from its Go module, started with the plan's arguments),
 * Keycloak from Maven Central's dist with the rendered realm on PostgreSQL, Orthanc on PostgreSQL behind.
 */
describe("single sign-on at the real edge: Traefik forwardAuth, oauth2-proxy, Keycloak, Orthanc", function () {
    this.timeout(180_000);
    let sso: SsoEdge;
    let work: string;
    const target = () => sso.edge;
    const tokenPath = `/auth/realms/${REALM_NAME}/protocol/openid-connect/token`;

    before(async function () {
        this.timeout(900_000);
        work = mkdtempSync(join(tmpdir(), "pacstack-sso-"));
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        sso = await startSsoEdge();
    });
    after(async () => {
        await sso?.stop();
        if (work) rmSync(work, { recursive: true, force: true });
    });

    /** A token of a client-credentials client, asked at Keycloak's public token endpoint through the edge. */
    async function clientToken(clientId: string, secret: string): Promise<string> {
        const answer = await edgeRequest(target(), tokenPath, {
            method: "POST",
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: secret }).toString(),
        });
        assert.equal(answer.status, 200, answer.body.toString());
        return JSON.parse(answer.body.toString()).access_token;
    }
    const bearer = (token: string, extra: Record<string, string> = {}) => ({ headers: { Authorization: `Bearer ${token}`, Accept: "application/dicom+json", ...extra } });
    const noCredentialIn = (answer: EdgeAnswer) => assert.ok(!JSON.stringify(answer.headers).includes("Basic "), "the edge's credential reached the client");

    it("runs oauth2-proxy with the plan's arguments and alpha document; only addresses, ports and file paths differ", () => {
        const base = sso.baseUrl;
        const settings = {
            publicUrl: `${base}/`,
            keycloakPublicUrl: `${base}/auth`,
            keycloakInternalUrl: sso.keycloak.url,
            clientSecretFile: sso.started.alpha.providers ? (sso.started.alpha.providers as any)[0].clientSecretFile : "",
            backendAuthorizationEnv: BACKEND_AUTHORIZATION_ENV,
            sessionStore: { url: sso.sessionStoreLocal.url, username: SESSION_STORE_USER, caFile: sso.sessionStoreLocal.caFile },
        };
        assert.deepEqual(sso.started.args, renderProxyArguments(settings));
        const { server: _s, metricsServer: _m, ...rendered } = renderProxyAlphaConfig(settings);
        const { server: _s2, metricsServer: _m2, ...started } = sso.started.alpha;
        assert.deepEqual(started, rendered);
        assert.equal(sso.planned.args.length, sso.started.args.length);
    });

    it("without a session: API paths answer 401, pages are redirected to Keycloak's login page (PKCE S256)", async () => {
        for (const path of ["/dicom-web/studies", "/orthanc/system", "/orthanc/instances", "/dicom-web/studies?PatientName=DOE*"]) {
            const answer = await edgeRequest(target(), path, { headers: { Accept: "text/html" } });
            assert.equal(answer.status, 401, `GET ${path}`);
            assert.equal(answer.headers.location, undefined);
        }
        for (const path of ["/", "/viewer?StudyInstanceUIDs=1.2.3", "/orthanc/ui/app/", "/orthanc/app/explorer.html"]) {
            const answer = await edgeRequest(target(), path, { headers: { Accept: "text/html" } });
            assert.equal(answer.status, 302, `GET ${path}`);
            const location = new URL(answer.headers.location!);
            assert.equal(`${location.origin}${location.pathname}`, `${sso.baseUrl}/auth/realms/${REALM_NAME}/protocol/openid-connect/auth`);
            assert.equal(location.searchParams.get("code_challenge_method"), "S256");
            assert.equal(location.searchParams.get("client_id"), PROXY_CLIENT_ID);
            assert.equal(location.searchParams.get("redirect_uri"), `${sso.baseUrl}/oauth2/callback`);
            const csrf = (answer.headers["set-cookie"] ?? []).join("\n");
            assert.match(csrf, /^__Host-pacstack-session_[^=]+_csrf=.*; Path=\/;.*HttpOnly; Secure/m);
        }
    });

    it("signs a user in on Keycloak's real login page: a __Host- Secure session cookie, DICOMweb 200 with Orthanc's own login still on", async () => {
        const session = await signIn(target(), sso.user);
        assert.ok(session.signedIn, session.page.slice(0, 500));
        assert.ok([...session.jar.cookies.keys()].some((name) => name.startsWith("__Host-pacstack-session")));
        const studies = await withJar(target(), session.jar, "/dicom-web/studies", { headers: { Accept: "application/dicom+json" } });
        assert.equal(studies.status, 200, studies.body.toString());
        noCredentialIn(studies);
        // Orthanc refuses the same request without the edge's credential: it keeps its own authentication.
        const direct = await fetch(`http://127.0.0.1:${sso.edge.orthanc!.httpPort}/dicom-web/studies`);
        assert.equal(direct.status, 401);
    });

    it("signs a user in on Keycloak's real login page in Chromium: the study list shows the study, the viewer its image", async function () {
        this.timeout(300_000);
        const sample = await freshCtSample(join(work, "browser"));
        const modality = { mode: "client" as const, cert: sso.edge.pki.client.cert, key: sso.edge.pki.client.key, ca: sso.edge.pki.ca.cert };
        const stored = await store({ port: sso.edge.traefik.ports.dicom, calledAe: "ORTHANC", tls: modality }, [sample.file]);
        assert.equal(stored.code, 0, stored.output);
        const browser = await chromium.launch({
            executablePath: requireBinary("/usr/bin/chromium"),
            args: [...HEADLESS_CHROMIUM_ARGS, `--host-resolver-rules=MAP ${sso.edge.domain} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${spkiHash(sso.edge.webCertificate.certPem)}`],
        });
        try {
            const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
            await page.goto(`${sso.baseUrl}/`, { waitUntil: "load" });
            assert.ok(page.url().startsWith(`${sso.baseUrl}/auth/realms/${REALM_NAME}/protocol/openid-connect/auth`), page.url());
            await page.screenshot({ path: join(SCREENSHOT_DIR, "sso-login.png") });
            await page.fill("#username", sso.user.username);
            await page.fill("#password", sso.user.password);
            await page.click("#kc-login");
            await page.waitForURL(`${sso.baseUrl}/**`, { timeout: 60_000 });
            const row = page.getByText("CompressedSamples").first();
            await row.waitFor({ timeout: 60_000 });
            const notice = page.getByRole("button", { name: "Confirm and hide" });
            if (await notice.isVisible()) await notice.click();
            await page.screenshot({ path: join(SCREENSHOT_DIR, "sso-study-list.png") });
            await row.click();
            await page.getByRole("button", { name: "Basic Viewer" }).click();
            await page.locator("canvas.cornerstone-canvas").first().waitFor({ timeout: 60_000 });
            let distinct = 0;
            for (let i = 0; i < 80 && distinct < 32; i++) {
                await page.waitForTimeout(250);
                distinct = await page.evaluate(() => {
                    const canvas = document.querySelector("canvas.cornerstone-canvas") as HTMLCanvasElement | null;
                    const data = canvas?.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data;
                    const values = new Set<number>();
                    for (let j = 0; data && j < data.length; j += 4) values.add(data[j]);
                    return values.size;
                });
            }
            await page.screenshot({ path: join(SCREENSHOT_DIR, "sso-viewer.png") });
            assert.ok(distinct >= 32, `the viewport shows no image (${distinct} distinct values)`);
        } finally {
            await browser.close();
        }
    });

    it("gives a signed-in user without pacstack-admin 403 on Orthanc Explorer, Orthanc's REST API and Keycloak's admin console; the administrator 200", async () => {
        const reader = (await signIn(target(), sso.user)).jar;
        const chief = (await signIn(target(), sso.admin)).jar;
        for (const path of ["/orthanc/app/explorer.html", "/orthanc/system", "/orthanc/ui/app/", "/auth/admin/master/console/"]) {
            const answer = await withJar(target(), reader, path);
            assert.equal(answer.status, 403, `${USER_GROUP} member: GET ${path}`);
        }
        const deleted = await withJar(target(), reader, "/orthanc/studies/0", { method: "DELETE" });
        assert.equal(deleted.status, 403, "a write to Orthanc's REST API");
        for (const path of ["/orthanc/app/explorer.html", "/orthanc/system"]) {
            const answer = await withJar(target(), chief, path);
            assert.equal(answer.status, 200, `${ADMIN_GROUP} member: GET ${path}`);
            noCredentialIn(answer);
        }
        const console = await withJar(target(), chief, "/auth/admin/master/console/");
        assert.notEqual(console.status, 403, "the administrator reaches Keycloak's admin console");
    });

    it("lets a script store with STOW-RS and find with QIDO-RS using a token of the scripts' client", async () => {
        const token = await clientToken(sso.scriptsClient.clientId, sso.scriptsClient.secret);
        const sample = await freshCtSample(work, "script.dcm");
        const boundary = "pacstack-sso-stow";
        const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), readFileSync(sample.file), Buffer.from(`\r\n--${boundary}--\r\n`)]);
        const stored = await edgeRequest(target(), "/dicom-web/studies", {
            method: "POST",
            body,
            ...bearer(token, { "Content-Type": `multipart/related; type="application/dicom"; boundary=${boundary}` }),
        });
        assert.equal(stored.status, 200, stored.body.toString());
        const found = await edgeRequest(target(), `/dicom-web/studies?StudyInstanceUID=${sample.studyUid}`, bearer(token));
        assert.equal(found.status, 200);
        assert.ok(found.body.toString().includes(sample.studyUid));
        noCredentialIn(found);
    });

    it("refuses a token for another audience, an expired token and a tampered cookie", async () => {
        const realmApi = (method: string, path: string, body?: unknown) => sso.keycloak.adminApi(method, `/${REALM_NAME}${path}`, body);
        const [userGroup] = (await realmApi("GET", `/groups?search=${USER_GROUP}&exact=true`)) as { id: string }[];
        const makeClient = async (clientId: string, audience: string, lifespan?: number) => {
            const secret = `${clientId}-secret-0123456789`;
            await realmApi("POST", "/clients", {
                clientId,
                secret,
                publicClient: false,
                serviceAccountsEnabled: true,
                standardFlowEnabled: false,
                attributes: lifespan ? { "access.token.lifespan": String(lifespan) } : {},
                protocolMappers: [
                    { name: "audience", protocol: "openid-connect", protocolMapper: "oidc-audience-mapper", config: { "included.client.audience": audience, "access.token.claim": "true" } },
                    { name: "groups", protocol: "openid-connect", protocolMapper: "oidc-group-membership-mapper", config: { "claim.name": "groups", "full.path": "false", "access.token.claim": "true" } },
                ],
            });
            const [client] = (await realmApi("GET", `/clients?clientId=${clientId}`)) as { id: string }[];
            const account = (await realmApi("GET", `/clients/${client.id}/service-account-user`)) as { id: string };
            await realmApi("PUT", `/users/${account.id}/groups/${userGroup.id}`);
            return secret;
        };
        const other = await clientToken("other-app", await makeClient("other-app", "account"));
        const answer = await edgeRequest(target(), "/dicom-web/studies", bearer(other));
        assert.equal(answer.status, 401, "a token whose audience is not the proxy's client");
        const control = await clientToken("short-lived", await makeClient("short-lived", PROXY_CLIENT_ID, 2));
        assert.equal((await edgeRequest(target(), "/dicom-web/studies", bearer(control))).status, 200, "the same kind of token, still valid");
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        assert.equal((await edgeRequest(target(), "/dicom-web/studies", bearer(control))).status, 401, "the expired token");

        const session = (await signIn(target(), sso.user)).jar;
        const tampered = session.copy();
        const [name, value] = [...tampered.cookies].find(([n]) => n.startsWith("__Host-pacstack-session"))!;
        const flipped = value.slice(0, 10) + (value[10] === "A" ? "B" : "A") + value.slice(11);
        tampered.cookies.set(name, flipped);
        assert.equal((await withJar(target(), tampered, "/dicom-web/studies", { headers: { Accept: "application/dicom+json" } })).status, 401);
        assert.equal((await withJar(target(), session, "/dicom-web/studies", { headers: { Accept: "application/dicom+json" } })).status, 200, "control");
    });

    it("shows a wrong password as an error and locks the account after repeated failures", async () => {
        const victim = { username: "locked-out", password: "Correct-horse-42" };
        await sso.keycloak.adminApi("POST", `/${REALM_NAME}/users`, {
            username: victim.username,
            enabled: true,
            groups: [`/${USER_GROUP}`],
            credentials: [{ type: "password", value: victim.password, temporary: false }],
        });
        const wrong = await signIn(target(), { username: victim.username, password: "wrong-password-1" });
        assert.equal(wrong.signedIn, false);
        assert.equal(wrong.formAnswer.status, 200);
        assert.match(wrong.page, /Invalid username or password/);
        for (let attempt = 2; attempt <= 5; attempt++) await signIn(target(), { username: victim.username, password: `wrong-password-${attempt}` });
        const right = await signIn(target(), victim);
        assert.equal(right.signedIn, false, "the right password after repeated failures");
        const [user] = (await sso.keycloak.adminApi("GET", `/${REALM_NAME}/users?username=${victim.username}&exact=true`)) as { id: string }[];
        const status = (await sso.keycloak.adminApi("GET", `/${REALM_NAME}/attack-detection/brute-force/users/${user.id}`)) as { disabled: boolean; numFailures: number };
        assert.equal(status.disabled, true, JSON.stringify(status));
    });

    it("after sign-out a copy of the old cookie is refused at once: the session is deleted from the store, and Keycloak's ends", async function () {
        this.timeout(240_000);
        const api = { headers: { Accept: "application/dicom+json" } };
        const session = (await signIn(target(), sso.user)).jar;
        const old = session.copy();
        // The cookie holds a ticket, not the session: no token, no claim (the session is in the store, encrypted).
        const cookie = [...session.cookies].find(([name]) => name.startsWith("__Host-pacstack-session") && !name.endsWith("_csrf"))![1];
        assert.ok(cookie.length < 300, `a ${cookie.length}-character cookie carries more than a ticket`);
        assert.doesNotMatch(Buffer.from(cookie.split("|")[0], "base64url").toString("latin1"), /eyJ|reader|hospital/);
        // Past the refresh period the session is refreshed at Keycloak under the store's lock, and keeps working.
        assert.equal(COOKIE_REFRESH, "1m");
        await new Promise((resolve) => setTimeout(resolve, 65_000));
        assert.equal((await withJar(target(), session, "/dicom-web/studies", api)).status, 200, "the refreshed session");
        assert.equal((await withJar(target(), old.copy(), "/dicom-web/studies", api)).status, 200, "a copy of the cookie, before sign-out");

        const sessionIds = async () => ((await sso.keycloak.adminApi("GET", `/${REALM_NAME}/users/${sso.user.id}/sessions`)) as { id: string }[]).map((s) => s.id);
        const before = await sessionIds();
        const out = await withJar(target(), session, "/oauth2/sign_out?rd=%2F");
        assert.equal(out.status, 302);
        assert.equal([...session.cookies.keys()].filter((n) => n.startsWith("__Host-pacstack-session") && !n.endsWith("_csrf")).length, 0, "the browser's cookie is cleared");
        // Right away, no refresh period: the API answers 401, a page sends the copy back to Keycloak's login page.
        const replayed = await withJar(target(), old.copy(), "/dicom-web/studies", api);
        assert.equal(replayed.status, 401, "the old cookie still works after sign-out");
        const page = await withJar(target(), old.copy(), "/", { headers: { Accept: "text/html" } });
        assert.equal(page.status, 302);
        assert.ok(page.headers.location!.startsWith(`${sso.baseUrl}/auth/realms/${REALM_NAME}/protocol/openid-connect/auth`), page.headers.location);
        // The user's other sessions (earlier sign-ins of this file) stay; exactly this one ended (back-channel logout).
        const after = await sessionIds();
        assert.ok(after.every((id) => before.includes(id)), "no new session");
        assert.equal(before.length - after.length, 1, `Keycloak sessions before ${before.length}, after ${after.length}`);
        // Keycloak's own end-session page, which a browser may visit next, changes nothing for the copy.
        await edgeRequest(target(), `/auth/realms/${REALM_NAME}/protocol/openid-connect/logout`, { headers: { Accept: "text/html" } });
        assert.equal((await withJar(target(), old.copy(), "/dicom-web/studies", api)).status, 401);
    });

    it("lets only oauth2-proxy's user into the session store, over TLS, with only the commands it needs", async () => {
        const store = sso.sessionStore;
        assert.match(await store.cli(["ping"], undefined, false), /reset|closed|Error|error/i, "a plain connection");
        assert.match(await store.cli(["ping"]), /NOAUTH/, "no credentials: the default user is off");
        assert.match(await store.cli(["ping"], { username: "default", password: "x" }), /WRONGPASS|invalid/i);
        assert.match(await store.cli(["ping"], { ...sso.sessionStoreUser, password: "wrong-password" }), /WRONGPASS|invalid/i);
        assert.equal(await store.cli(["ping"], sso.sessionStoreUser), "PONG");
        for (const command of [["keys", "*"], ["flushall"], ["config", "get", "*"], ["scan", "0"]]) {
            assert.match(await store.cli(command, sso.sessionStoreUser), /NOPERM/, command.join(" "));
        }
        assert.match(await store.cli(["eval", "return redis.call('flushall')", "0"], sso.sessionStoreUser), /can't run this command|NOPERM/i, "a script runs with the user's rights");
    });
});
