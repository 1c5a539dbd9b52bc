/**
 * Single sign-on behind the real edge: the plan of the dev stack (single sign-on is the default login) applied to the
 * real kube-apiserver and read by the real Traefik (tests/harness/edge/stack.ts), with Keycloak from Maven
 * Central's dist importing the rendered realm (on a real PostgreSQL over TLS) and oauth2-proxy built from its Go
 * module, started with the plan's own arguments and alpha configuration (only hosts, ports and file paths changed).
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ADMIN_GROUP, PROXY_CLIENT_ID, REALM_NAME, SCRIPTS_CLIENT_ID, USER_GROUP, renderRealm, withClientSecrets } from "../../../components/keycloak/realm";
import { basicAuthorizationValue } from "../../../components/oauth2-proxy/oauth2-proxy";
import { BACKEND_AUTHORIZATION_ENV, CLIENT_SECRET_FILE, SESSION_STORE_CA_FILE, SESSION_STORE_PASSWORD_ENV } from "../../../components/oauth2-proxy/values";
import { SESSION_STORE_CONFIG_FILE } from "../../../components/session-store/workload";
import { SESSION_STORE_USER } from "../../../components/session-store/settings";
import { RunningSessionStore, startSessionStore } from "../real/session-store";
import { PROXY_PORT } from "../../../components/oauth2-proxy/settings";
import { pinnedTools } from "../kube/tools";
import { RunningKeycloak, startKeycloak } from "../real/keycloak";
import { PostgresServer, startPostgres } from "../real/postgres";
import { RunningProcess, freePort, startProcess, waitFor } from "../real/processes";
import { EdgeContext, EdgeExtra, EdgeStack, startEdgeStack } from "./stack";
import { PlanObject } from "./objects";

/** The Service the plan's /auth route names (the Keycloak chart's HTTP Service). */
function keycloakServiceOf(plan: EdgeContext["plan"]): string {
    const route = plan.resources.find((r) => r.type === "kubernetes:traefik.io/v1alpha1:IngressRoute")?.inputs as any;
    const router = route?.spec.routes.find((r: any) => r.match.includes("(Path(`/auth`) || PathPrefix(`/auth/`))"));
    if (!router) throw new Error("the plan routes nothing to /auth");
    return router.services[0].name;
}

/** The Keycloak chart's HTTP Service as the route names it (the chart is not rendered here): port 8080, named http. */
function keycloakChartService(name: string, namespace: string): PlanObject {
    return { apiVersion: "v1", kind: "Service", metadata: { name, namespace }, spec: { type: "ClusterIP", ports: [{ name: "http", port: 8080, protocol: "TCP", targetPort: "http" }] } };
}

export interface Person {
    username: string;
    password: string;
    id?: string;
}

export interface SsoEdge {
    edge: EdgeStack;
    keycloak: RunningKeycloak;
    proxy: RunningProcess;
    /** The session store (Debian's redis-server with the plan's configuration) and the proxy's password for it. */
    sessionStore: RunningSessionStore;
    sessionStoreUser: { username: string; password: string };
    /** The store's URL and CA file as the proxy was started with them (the plan's, on loopback). */
    sessionStoreLocal: { url: string; caFile: string };
    /** A member of pacstack-user, and one of pacstack-admin. */
    user: Person;
    admin: Person;
    scriptsClient: { clientId: string; secret: string };
    /** The proxy's arguments and alpha document as the plan's release holds them, and as started here. */
    planned: { args: string[]; alpha: Record<string, unknown> };
    started: { args: string[]; alpha: Record<string, unknown> };
    /** Public base URL of the site (https://<domain>:<port>). */
    baseUrl: string;
    stop(): Promise<void>;
}

function proxyReleaseOf(plan: EdgeContext["plan"]) {
    const release = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === "oauth2-proxy");
    if (!release) throw new Error("the plan has no oauth2-proxy release");
    return release.inputs as { name: string; namespace: string; values: { fullnameOverride: string; extraArgs: string[]; alphaConfig: { configData: Record<string, unknown> }; service: { portNumber: number }; metrics: { port: number } } };
}

/** The proxy's Service as chart 10.7.0's templates/service.yaml writes it for these values (ports http and metrics). */
function proxyChartService(release: ReturnType<typeof proxyReleaseOf>): PlanObject {
    const name = release.values.fullnameOverride;
    return {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: release.namespace, labels: { "app.kubernetes.io/name": "oauth2-proxy", "app.kubernetes.io/instance": name } },
        spec: {
            type: "ClusterIP",
            selector: { "app.kubernetes.io/name": "oauth2-proxy", "app.kubernetes.io/instance": name },
            ports: [
                { name: "http", port: release.values.service.portNumber, protocol: "TCP", targetPort: "http" },
                { name: "metrics", port: release.values.metrics.port, protocol: "TCP", targetPort: "metrics" },
            ],
        },
    };
}

async function createPerson(keycloak: RunningKeycloak, username: string, group: string): Promise<Person> {
    const password = `${randomBytes(12).toString("base64url")}-Aa1`;
    await keycloak.adminApi("POST", `/${REALM_NAME}/users`, {
        username,
        enabled: true,
        email: `${username}@hospital.test`,
        emailVerified: false,
        firstName: username,
        lastName: "Test",
        groups: [`/${group}`],
        credentials: [{ type: "password", value: password, temporary: false }],
    });
    const [found] = (await keycloak.adminApi("GET", `/${REALM_NAME}/users?username=${username}&exact=true`)) as { id: string }[];
    return { username, password, id: found.id };
}

/** Starts the whole single sign-on edge. */
export async function startSsoEdge(): Promise<SsoEdge> {
    let keycloak: RunningKeycloak | undefined;
    let postgres: PostgresServer | undefined;
    let proxy: RunningProcess | undefined;
    let sessionStore: RunningSessionStore | undefined;
    const sessionStoreUser = { username: SESSION_STORE_USER, password: randomBytes(24).toString("base64url") };
    const storeLocal = { url: "", caFile: "" };
    let people: { user: Person; admin: Person } | undefined;
    const secrets = { [PROXY_CLIENT_ID]: randomBytes(24).toString("base64url"), [SCRIPTS_CLIENT_ID]: randomBytes(24).toString("base64url") };
    const proxyFiles: { planned?: SsoEdge["planned"]; started?: SsoEdge["started"] } = {};

    const extra = async (context: EdgeContext): Promise<EdgeExtra> => {
        const { work, domain, websecurePort, pki, plan } = context;
        const plannedAuthority = new URL(String(plan.outputs.webUrl)).host;
        const publicBase = `https://${domain}:${websecurePort}`;
        const release = proxyReleaseOf(plan);
        proxyFiles.planned = { args: release.values.extraArgs, alpha: release.values.alphaConfig.configData };

        postgres = await startPostgres({ dir: join(work, "keycloak-postgres"), port: await freePort(), tls: { cert: pki.server.cert, key: pki.server.key }, logName: "sso-keycloak-postgres" });
        const realm = withClientSecrets(renderRealm({ redirectUris: [`${publicBase}/oauth2/callback`] }), secrets);
        keycloak = await startKeycloak({
            dir: join(work, "keycloak"),
            database: { postgres, caCertFile: pki.ca.cert },
            realm,
            hostname: `${publicBase}/auth`,
            proxyHeaders: true,
            logName: "sso-keycloak",
        });
        people = { user: await createPerson(keycloak, "reader", USER_GROUP), admin: await createPerson(keycloak, "chief", ADMIN_GROUP) };

        // The session store with the plan's configuration file (paths, address and port changed).
        const storeConfig = plan.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && (r.inputs as any).data?.[SESSION_STORE_CONFIG_FILE]);
        if (!storeConfig) throw new Error("the plan has no session store configuration");
        sessionStore = await startSessionStore({
            dir: join(work, "session-store"),
            plannedConfig: (storeConfig.inputs as any).data[SESSION_STORE_CONFIG_FILE],
            password: sessionStoreUser.password,
            tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca.cert },
            logName: "sso-session-store",
        });
        const plannedStoreUrl = release.values.extraArgs.find((a) => a.startsWith("--redis-connection-url="))!.slice("--redis-connection-url=".length);
        Object.assign(storeLocal, { url: `rediss://localhost:${sessionStore.port}`, caFile: pki.ca.cert });

        // The plan's arguments and alpha document with only addresses, ports and file paths changed.
        const [port, metricsPort] = [await freePort(), await freePort()];
        const clientSecretFile = join(work, "oauth2-proxy-client-secret");
        writeFileSync(clientSecretFile, secrets[PROXY_CLIENT_ID], { mode: 0o600 });
        // The in-cluster URL the plan gives the proxy (its token endpoint, up to Keycloak's base path).
        const redeem = (release.values.alphaConfig.configData.providers as { redeemURL: string }[])[0].redeemURL;
        const internal = redeem.slice(0, redeem.indexOf("/realms/"));
        const local = (text: string) =>
            text
                .split(plannedAuthority).join(`${domain}:${websecurePort}`)
                .split(internal).join(`${keycloak!.url}`)
                .split(CLIENT_SECRET_FILE).join(clientSecretFile)
                .split(plannedStoreUrl).join(storeLocal.url)
                .split(SESSION_STORE_CA_FILE).join(storeLocal.caFile);
        const args = release.values.extraArgs.map(local);
        const alpha = {
            ...JSON.parse(local(JSON.stringify(release.values.alphaConfig.configData))),
            // The chart writes these two (0.0.0.0:4180 and :44180); here loopback on free ports.
            server: { bindAddress: `127.0.0.1:${port}` },
            metricsServer: { bindAddress: `127.0.0.1:${metricsPort}` },
        };
        proxyFiles.started = { args, alpha };
        const alphaFile = join(work, "oauth2-proxy-alpha.json");
        writeFileSync(alphaFile, JSON.stringify(alpha));
        const tools = await pinnedTools();
        proxy = startProcess("sso-oauth2-proxy", tools["oauth2-proxy"], [`--alpha-config=${alphaFile}`, ...args], {
            env: {
                PATH: process.env.PATH,
                OAUTH2_PROXY_COOKIE_SECRET: randomBytes(24).toString("base64url").slice(0, 32),
                [BACKEND_AUTHORIZATION_ENV]: basicAuthorizationValue(context.user.username, context.user.password),
                [SESSION_STORE_PASSWORD_ENV]: sessionStoreUser.password,
            },
        });
        const ready = async () => (await fetch(`http://127.0.0.1:${port}/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200;
        await waitFor("oauth2-proxy ready", ready, { process: proxy, timeoutMs: 60_000, intervalMs: 250 });

        const proxyService = release.values.fullnameOverride;
        const keycloakService = keycloakServiceOf(plan);
        const loopbackProxy = `http://${proxyService}.loopback.test:${port}`;
        const plannedProxy = `http://${proxyService}.${context.appNamespace}.svc:${PROXY_PORT}`;
        return {
            services: { [keycloakService]: { http: keycloak.port }, [proxyService]: { http: port, metrics: metricsPort } },
            chartServices: [proxyChartService(release), keycloakChartService(keycloakService, context.appNamespace)],
            rewrite: (object: PlanObject) => {
                const address: string | undefined = object.kind === "Middleware" ? object.spec.forwardAuth?.address : undefined;
                if (!address) return object;
                if (!address.startsWith(plannedProxy)) throw new Error(`forwardAuth to ${address}, not the planned proxy`);
                return { ...object, spec: { forwardAuth: { ...object.spec.forwardAuth, address: loopbackProxy + address.slice(plannedProxy.length) } } };
            },
            stop: async () => {
                await proxy?.stop(5_000);
                await keycloak?.stop();
                await postgres?.stop();
                await sessionStore?.stop();
            },
        };
    };
    const edge = await startEdgeStack({ login: "sso", extra });
    return {
        edge,
        keycloak: keycloak!,
        proxy: proxy!,
        sessionStore: sessionStore!,
        sessionStoreUser,
        sessionStoreLocal: storeLocal,
        user: people!.user,
        admin: people!.admin,
        scriptsClient: { clientId: SCRIPTS_CLIENT_ID, secret: secrets[SCRIPTS_CLIENT_ID] },
        planned: proxyFiles.planned!,
        started: proxyFiles.started!,
        baseUrl: `https://${edge.domain}:${edge.httpsPort}`,
        stop: () => edge.stop(),
    };
}
