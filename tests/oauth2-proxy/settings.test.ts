import assert from "node:assert/strict";
import {
    ALLOWED_GROUPS,
    ProxySettingsInput,
    SESSION_COOKIE,
    forwardAuthAddress,
    proxySettingsProblems,
    renderProxyAlphaConfig,
    renderProxyArguments,
} from "../../components/oauth2-proxy/settings";

export const SETTINGS: ProxySettingsInput = {
    publicUrl: "https://pacs.example.org/",
    keycloakPublicUrl: "https://pacs.example.org/auth",
    keycloakInternalUrl: "http://pacstack-keycloak.pacstack.svc:8080/auth",
    clientSecretFile: "/etc/pacstack/oauth2-proxy/client/client-secret",
    backendAuthorizationEnv: "PACSTACK_BACKEND_AUTHORIZATION",
    sessionStore: { url: "rediss://pacstack-session-store.pacstack.svc:6379", username: "oauth2-proxy", caFile: "/etc/pacstack/oauth2-proxy/session-store/ca.crt" },
};

const flag = (args: string[], name: string) => args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));

describe("oauth2-proxy: rendered arguments and alpha configuration", () => {
    it("keeps the session in a __Host- cookie: Secure, HttpOnly, path /, no domain, refreshed every minute", () => {
        const args = renderProxyArguments(SETTINGS);
        assert.deepEqual(flag(args, "cookie-name"), [SESSION_COOKIE]);
        assert.match(SESSION_COOKIE, /^__Host-/);
        assert.deepEqual(flag(args, "cookie-secure"), ["true"]);
        assert.deepEqual(flag(args, "cookie-httponly"), ["true"]);
        assert.deepEqual(flag(args, "cookie-path"), ["/"]);
        assert.deepEqual(flag(args, "cookie-domain"), []);
        assert.deepEqual(flag(args, "cookie-refresh"), ["1m"]);
        // The cookie secret comes from the environment (a Secret), never from an argument.
        assert.deepEqual(flag(args, "cookie-secret"), []);
        assert.ok(!args.some((a) => /secret/i.test(a) && !a.startsWith("--cookie-csrf")), args.join(" "));
    });

    it("redirects back to this host's /oauth2/callback, accepts script tokens, sends pages straight to Keycloak", () => {
        const args = renderProxyArguments(SETTINGS);
        assert.deepEqual(flag(args, "redirect-url"), ["https://pacs.example.org/oauth2/callback"]);
        assert.deepEqual(flag(args, "whitelist-domain"), ["pacs.example.org"]);
        assert.deepEqual(flag(args, "skip-jwt-bearer-tokens"), ["true"]);
        assert.deepEqual(flag(args, "skip-provider-button"), ["true"]);
        assert.deepEqual(flag(args, "reverse-proxy"), ["true"]);
        assert.deepEqual(flag(args, "request-logging"), ["false"], "query strings (patient names) stay out of the proxy's log");
        const onNodePort = renderProxyArguments({ ...SETTINGS, publicUrl: "https://pacs.minikube.test:30443/" });
        assert.deepEqual(flag(onNodePort, "redirect-url"), ["https://pacs.minikube.test:30443/oauth2/callback"]);
        assert.deepEqual(flag(onNodePort, "whitelist-domain"), ["pacs.minikube.test:30443"]);
    });

    it("splits the issuer: browsers log in at the public URL, the proxy redeems, refreshes and fetches keys in the cluster", () => {
        const alpha = renderProxyAlphaConfig(SETTINGS) as any;
        const [provider] = alpha.providers;
        assert.equal(provider.provider, "keycloak-oidc");
        assert.equal(provider.clientID, "oauth2-proxy");
        assert.equal(provider.clientSecretFile, SETTINGS.clientSecretFile);
        assert.equal(provider.clientSecret, undefined);
        assert.equal(provider.code_challenge_method, "S256");
        assert.equal(provider.loginURL, "https://pacs.example.org/auth/realms/pacstack/protocol/openid-connect/auth");
        const internal = "http://pacstack-keycloak.pacstack.svc:8080/auth/realms/pacstack/protocol/openid-connect";
        assert.equal(provider.redeemURL, `${internal}/token`);
        assert.equal(provider.profileURL, `${internal}/userinfo`);
        assert.equal(provider.backendLogoutURL, `${internal}/logout?id_token_hint={id_token}`);
        assert.deepEqual(provider.oidcConfig.issuerURL, "https://pacs.example.org/auth/realms/pacstack");
        assert.equal(provider.oidcConfig.skipDiscovery, true);
        assert.equal(provider.oidcConfig.jwksURL, `${internal}/certs`);
        assert.deepEqual(provider.oidcConfig.audienceClaims, ["aud"]);
        assert.deepEqual(provider.oidcConfig.extraAudiences, [], "only tokens for the proxy's own client pass");
        assert.equal(provider.oidcConfig.groupsClaim, "groups");
    });

    it("answers forwardAuth with 202 and the identity headers; the backend credential comes from the environment", () => {
        const alpha = renderProxyAlphaConfig(SETTINGS) as any;
        assert.deepEqual(alpha.upstreamConfig.upstreams, [{ id: "forward-auth", path: "/", static: true, staticCode: 202 }]);
        assert.deepEqual(
            alpha.injectResponseHeaders.map((h: any) => h.name),
            ["X-Auth-Request-User", "X-Auth-Request-Email", "X-Auth-Request-Preferred-Username", "X-Auth-Request-Groups", "Authorization"],
        );
        assert.deepEqual(alpha.injectResponseHeaders[4].values, [{ secretSource: { fromEnv: "PACSTACK_BACKEND_AUTHORIZATION" } }]);
        const without = renderProxyAlphaConfig({ ...SETTINGS, backendAuthorizationEnv: undefined }) as any;
        assert.ok(!without.injectResponseHeaders.some((h: any) => h.name === "Authorization"));
        assert.deepEqual(alpha.server, { bindAddress: "0.0.0.0:4180" });
        assert.deepEqual(renderProxyAlphaConfig(SETTINGS), renderProxyAlphaConfig(SETTINGS), "deterministic");
    });

    it("asks admins-only and signed-in checks at the page (redirect) or API (401) address", () => {
        assert.deepEqual(ALLOWED_GROUPS, { user: ["pacstack-user", "pacstack-admin"], admin: ["pacstack-admin"] });
        const base = "http://pacstack-oauth2-proxy.pacstack.svc:4180";
        assert.equal(forwardAuthAddress(base, "admin", "page"), `${base}/?allowed_groups=pacstack-admin`);
        assert.equal(forwardAuthAddress(`${base}/`, "user", "api"), `${base}/oauth2/auth?allowed_groups=pacstack-user,pacstack-admin`);
    });

    it("keeps sessions in the store over TLS (rediss, the store's CA) as its user; the password never is an argument", () => {
        const args = renderProxyArguments(SETTINGS);
        assert.deepEqual(flag(args, "session-store-type"), ["redis"]);
        assert.deepEqual(flag(args, "redis-connection-url"), ["rediss://pacstack-session-store.pacstack.svc:6379"]);
        assert.deepEqual(flag(args, "redis-username"), ["oauth2-proxy"]);
        assert.deepEqual(flag(args, "redis-ca-path"), ["/etc/pacstack/oauth2-proxy/session-store/ca.crt"]);
        assert.deepEqual(flag(args, "redis-password"), []);
        assert.deepEqual(flag(args, "redis-insecure-skip-tls-verify"), []);
        for (const url of ["redis://pacstack-session-store:6379", "rediss://user:pw@store:6379", "https://store"]) {
            assert.match(proxySettingsProblems({ ...SETTINGS, sessionStore: { ...SETTINGS.sessionStore, url } }).join(), /sessionStore\.url/, url);
        }
        assert.match(proxySettingsProblems({ ...SETTINGS, sessionStore: { ...SETTINGS.sessionStore, username: "a b" } }).join(), /sessionStore\.username/);
        assert.match(proxySettingsProblems({ ...SETTINGS, sessionStore: { ...SETTINGS.sessionStore, caFile: "ca.crt" } }).join(), /sessionStore\.caFile/);
    });

    it("refuses non-https public URLs, credentials, queries, a publicUrl without /, and a bad variable name", () => {
        assert.deepEqual(proxySettingsProblems(SETTINGS), []);
        const problems = proxySettingsProblems({
            ...SETTINGS,
            publicUrl: "http://pacs.example.org",
            keycloakPublicUrl: "https://user:pw@pacs.example.org/auth",
            keycloakInternalUrl: "ftp://x/auth?x=1",
            backendAuthorizationEnv: "bad-name",
        });
        assert.equal(problems.length, 5, problems.join("\n"));
        assert.throws(() => renderProxyArguments({ ...SETTINGS, publicUrl: "https://pacs.example.org/#x" }), /invalid oauth2-proxy settings: publicUrl/);
    });
});
