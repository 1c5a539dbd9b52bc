/**
 * The edge on loopback, every piece real: kube-apiserver + etcd (tests/harness/kube) holding the objects a plan of
 * the dev stack renders (namespaces, Services, IngressRoutes, Middlewares, TLSOption, IngressRouteTCPs, the Secrets
 * they read), Traefik with the chart's static configuration and RBAC reading them through its own ServiceAccount
 * token, and behind it Debian's Orthanc (production configuration on PostgreSQL) and the OHIF build. EndpointSlices
 * written by the test point pacstack's Services at those processes.
 */
import { randomBytes, X509Certificate, createHash } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { planCertificates, serviceHostNames } from "../../../components/certificates/plan";
import { renderOhifAppConfig } from "../../../components/ohif/app-config";
import { renderOrthancCredentials } from "../../../components/orthanc/config";
import { ORTHANC_WEB_PATHS } from "../../../components/orthanc/publication";
import { WEB_USERNAME } from "../../../components/platform/platform";
import { TRAEFIK_CHART_DEFAULTS, mergeChartValues, renderTraefikArguments } from "../../../components/traefik/static-config";
import { ORTHANC_APP } from "../../../components/orthanc/workload";
import { OHIF_APP } from "../../../components/ohif/paths";
import { ensureOhifDist } from "../browser/ohif-dist";
import { startStaticViewer } from "../browser/static-viewer";
import { KubeApiServer, startKubeApiServer } from "../kube/apiserver";
import { installCrds, traefikCrds } from "../kube/crds";
import { pinnedTools } from "../kube/tools";
import { renderTraefikNamespacedRbac, traefikServiceAccount } from "../kube/traefik-rbac";
import { PlanResult, planStack } from "../plan-runner";
import { OrthancTierId, orthancTier, tierWorkDir } from "../real/orthanc-tiers";
import { OrthancServer, startHttpsFront, startOrthanc } from "../real/orthanc";
import { KeyPair, TestPki, createTestPki, issueServerFor } from "../real/pki";
import { startIdentityBackend } from "./identity";
import { PostgresServer, startPostgres } from "../real/postgres";
import { RunningProcess, freePort, stopAllProcesses, waitFor } from "../real/processes";
import { runOk } from "../real/tools";
import { EdgeTarget, edgeRequest } from "./client";
import { PlanObject, edgeObjectsOf, httpsBackendsOf, loopbackEndpointSlice, routedServices, traefikReleaseOf } from "./objects";
import { LoopbackTraefik, startLoopbackTraefik } from "./traefik";

/** The upload limit the edge tests render with (small, so that "at the limit" and "one byte more" are cheap). */
export const TEST_UPLOAD_LIMIT_MIB = 8;

export interface EdgeOptions {
    /** Settings of the dev stack to plan with (key → value, as `npm run plan` takes them). */
    overrides?: Record<string, string | number>;
    /**
     * Start Orthanc (on PostgreSQL) and the OHIF build behind the edge; without them the Services have no endpoints
     * (Traefik answers 503 past its middlewares).
     * @default true
     */
    backends?: boolean;
    /**
     * The stack's login (pacstack:login). Single sign-on needs Keycloak and oauth2-proxy behind the edge (`extra`,
     * see tests/harness/edge/sso.ts); the basic-auth edge tests choose basic explicitly.
     * @default "basic"
     */
    login?: "basic" | "sso";
    /** The Orthanc build behind the edge. @default "debian12" */
    orthancTier?: OrthancTierId;
    /**
     * More real programs behind the edge (single sign-on: Keycloak, oauth2-proxy), started once the public port,
     * the test CA and the web user are known, before the objects are applied.
     */
    extra?: (context: EdgeContext) => Promise<EdgeExtra>;
}

/** What a test's extra programs learn about the edge they run behind. */
export interface EdgeContext {
    work: string;
    domain: string;
    websecurePort: number;
    pki: TestPki;
    /** The web user: Orthanc's RegisteredUsers holds it. */
    user: { username: string; password: string };
    appNamespace: string;
    plan: PlanResult;
}

/** Extra programs behind the edge: the loopback ports of the Services they stand behind, by Service and port name. */
export interface EdgeExtra {
    services: Record<string, Record<string, number>>;
    /** Services a chart renders (not part of the plan), as the chart's template writes them. */
    chartServices?: PlanObject[];
    /** Rewrites an object before it is applied (addresses and ports only). */
    rewrite?: (object: PlanObject) => PlanObject;
    stop(): Promise<void>;
}

export interface EdgeStack extends EdgeTarget {
    api: KubeApiServer;
    traefik: LoopbackTraefik;
    /** Undefined when started without backends. */
    orthanc: OrthancServer | undefined;
    /** Orthanc's PostgreSQL; undefined without backends. */
    postgres: PostgresServer | undefined;
    /** The HTTPS front Traefik reaches Orthanc through (the test's stand-in for Orthanc's own HTTPS); undefined without backends. */
    orthancHttps: { port: number; process: RunningProcess } | undefined;
    /** Orthanc's configuration as the plan's ConfigMap holds it (before the loopback rewrite); undefined without backends. */
    plannedOrthancConfig: Record<string, unknown> | undefined;
    pki: TestPki;
    /** The web certificate as planCertificates specifies it (CN and SAN = the domain), from the test CA. */
    webCertificate: KeyPair;
    user: { username: string; password: string };
    /** Known to the edge's users Secret but not to Orthanc. */
    edgeOnlyUser: { username: string; password: string };
    appNamespace: string;
    /** The objects applied, as the plan rendered them. */
    applied: PlanObject[];
    stop(): Promise<void>;
}

/** An htpasswd line with a bcrypt hash, as @pulumi/random's bcryptHash gives the platform (Python's crypt here). */
async function htpasswdLine(user: string, password: string): Promise<string> {
    const script = "import crypt, sys; print(crypt.crypt(sys.stdin.read(), crypt.mksalt(crypt.METHOD_BLOWFISH)))";
    const { stdout } = await runOk("python3", ["-W", "ignore", "-c", script], { input: password });
    const hash = stdout.trim();
    if (!/^\$2[aby]\$/.test(hash)) throw new Error(`python3 crypt gave no bcrypt hash: ${hash}`);
    return `${user}:${hash}`;
}

/** base64(SHA-256(SubjectPublicKeyInfo)): what Chromium's --ignore-certificate-errors-spki-list trusts. */
export function spkiHash(certPem: string): string {
    const der = new X509Certificate(certPem).publicKey.export({ type: "spki", format: "der" });
    return createHash("sha256").update(der).digest("base64");
}

async function serviceAccountToken(api: KubeApiServer, namespace: string, name: string): Promise<string> {
    const path = `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`;
    const answer = await api.client.ok("POST", path, { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3600 } });
    return answer.status.token as string;
}

/** The orthanc.json of the plan's Orthanc ConfigMap (`<service>-config`), as the pod mounts it. */
function plannedOrthancConfigOf(plan: PlanResult, service: string): Record<string, unknown> {
    const configMap = plan.resources.find((r) => r.type === "kubernetes:core/v1:ConfigMap" && r.name === `${service}-config`);
    const json = (configMap?.inputs as { data?: Record<string, string> } | undefined)?.data?.["orthanc.json"];
    if (!json) throw new Error(`the plan has no ConfigMap ${service}-config with orthanc.json`);
    return JSON.parse(json);
}

/**
 * PostgreSQL, Orthanc with the plan's configuration (its HTTPS certificate `orthancHttps`) and the OHIF build.
 * `publicAuthority` is the edge's public name with Traefik's loopback HTTPS port: the node port in the plan's
 * DicomWeb.Host becomes that port.
 */
async function startBackends(
    work: string,
    pki: TestPki,
    user: { username: string; password: string },
    production: Record<string, unknown>,
    publicAuthority: string,
    orthancHttps: KeyPair,
    tierId: OrthancTierId,
) {
    const tier = orthancTier(tierId);
    // A chrooted tier's Orthanc reaches only folders inside its root.
    const pods = tierWorkDir(tier, "pacstack-edge-pod-");
    const [pgPort, httpPort, dicomPort] = [await freePort(), await freePort(), await freePort()];
    const postgres = await startPostgres({ dir: join(work, "postgres"), port: pgPort, tls: { cert: pki.server.cert, key: pki.server.key } });
    try {
        const dbPassword = await postgres.createRoleAndDatabase("orthanc", "orthanc");
        const orthanc = await startOrthanc({
            production,
            credentials: renderOrthancCredentials({ admin: randomBytes(16).toString("hex"), [user.username]: user.password }),
            target: { root: join(pods, "pod"), httpPort, dicomPort, database: { host: "127.0.0.1", port: pgPort }, tier, publicAuthority },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            https: { certPem: orthancHttps.certPem, keyPem: orthancHttps.keyPem, caPem: pki.ca.certPem },
            dbPassword,
            logName: "edge-orthanc",
        });
        // Orthanc's HTTPS as its pod serves it: the mounted certificate file, for the Service's names.
        const https = await startHttpsFront(orthanc, join(work, "orthanc-https"), "edge-orthanc-https");
        const paths = { orthanc: ORTHANC_WEB_PATHS };
        const appConfig = renderOhifAppConfig({
            routerBasename: "/",
            dataSources: [{ name: "orthanc", friendlyName: "Orthanc", archive: "orthanc", dicomWebPath: paths.orthanc.dicomWeb, wadoUriPath: paths.orthanc.wadoUri }],
            defaultDataSource: "orthanc",
        });
        const viewer = await startStaticViewer(ensureOhifDist(), appConfig);
        return { postgres, orthanc, viewer, https, pods, orthancPorts: { https: https.port, dicom: dicomPort } };
    } catch (error) {
        await postgres.stop();
        rmSync(pods, { recursive: true, force: true });
        throw error;
    }
}

/**
 * The optional Orthanc plugins Debian packages (orthanc-gdcm): the plan the edge runs asks for those only, since
 * Debian has no Orthanc Explorer 2 (a default of orthanc.plugins) and the plan's configuration runs on Debian's Orthanc.
 */
const DEBIAN_ORTHANC_PLUGINS = '["gdcm"]';

export async function startEdgeStack(options: EdgeOptions = {}): Promise<EdgeStack> {
    const plan = await planStack("dev", { uploadLimitMiB: TEST_UPLOAD_LIMIT_MIB, "orthanc.plugins": DEBIAN_ORTHANC_PLUGINS, login: options.login ?? "basic", ...options.overrides });
    const release = traefikReleaseOf(plan);
    const edge = edgeObjectsOf(plan);
    const tools = await pinnedTools();
    const work = mkdtempSync(join(tmpdir(), "pacstack-edge-"));
    chmodSync(work, 0o711); // PostgreSQL runs as `postgres` and must reach its folder inside
    let api: KubeApiServer | undefined;
    let backends: Awaited<ReturnType<typeof startBackends>> | undefined;
    let traefik: LoopbackTraefik | undefined;
    const identities: { close(): Promise<void> }[] = [];
    let extra: EdgeExtra | undefined;
    const stop = async () => {
        await traefik?.stop();
        await extra?.stop();
        for (const identity of identities) await identity.close();
        await backends?.viewer.close();
        await backends?.https.process.stop(5_000);
        await backends?.orthanc.stop();
        await backends?.postgres.stop();
        if (backends) rmSync(backends.pods, { recursive: true, force: true });
        await api?.stop();
        await stopAllProcesses();
        rmSync(work, { recursive: true, force: true });
    };
    try {
        const domain = String(plan.outputs.webUrl).replace(/^https:\/\/([^:/]+).*$/, "$1");
        const appNamespace: string = release.values.providers.kubernetesCRD.namespaces.find((n: string) => n !== release.namespace);
        const pki = await createTestPki(join(work, "pki"));
        const webLeaf = planCertificates({ domain, databaseHosts: [], modalities: [], externalWebCertificate: false }).find((l) => l.id === "web")!;
        // The domain is a plain string here, so the leaf's names are too.
        const webNames = [...new Set([webLeaf.commonName, ...webLeaf.dnsNames].map((name) => name as string))];
        const webCertificate = await issueServerFor(pki, "web", webNames);
        const user = { username: WEB_USERNAME, password: randomBytes(16).toString("hex") };
        const edgeOnlyUser = { username: "edge-only", password: randomBytes(16).toString("hex") };
        const orthancService = edge.services.find((s) => s.metadata.labels?.["app.kubernetes.io/name"] === ORTHANC_APP);
        // Chosen before Orthanc starts: its DICOMweb URLs name the port clients reach the edge at.
        const websecurePort = await freePort();
        let plannedOrthancConfig: Record<string, unknown> | undefined;
        // Every HTTPS backend's certificate, as the plan specifies it (its Service's names), from the test CA.
        const httpsBackends = httpsBackendsOf(edge.traefik);
        const backendCertificates = new Map<string, KeyPair>();
        for (const [service, transport] of httpsBackends) {
            const names = serviceHostNames(service, appNamespace);
            if (!names.includes(transport.serverName)) throw new Error(`${service}'s ServersTransport expects ${transport.serverName}, none of its Service's names`);
            backendCertificates.set(service, await issueServerFor(pki, `${service}-https`, names));
        }
        if (options.backends ?? true) {
            const orthancHttps = orthancService && backendCertificates.get(orthancService.metadata.name);
            if (!orthancService || !orthancHttps) throw new Error("backends need Orthanc, over HTTPS, in the plan");
            plannedOrthancConfig = plannedOrthancConfigOf(plan, orthancService.metadata.name);
            backends = await startBackends(work, pki, user, plannedOrthancConfig, `${domain}:${websecurePort}`, orthancHttps, options.orthancTier ?? "debian12");
        }

        extra = await options.extra?.({ work, domain, websecurePort, pki, user, appNamespace, plan });
        edge.services.push(...(extra?.chartServices ?? []));

        // The API server with what Traefik reads, as rendered; Secrets filled with the test's certificates and users.
        api = await startKubeApiServer();
        await installCrds(api.client, await traefikCrds());
        for (const namespace of edge.namespaces) await api.apply(namespace);
        const account = traefikServiceAccount(release);
        for (const object of [account, ...renderTraefikNamespacedRbac(release)]) await api.apply(object);
        const webSecret = edge.traefik.find((o) => o.kind === "IngressRoute")?.spec.tls.secretName;
        const users = [await htpasswdLine(user.username, user.password), await htpasswdLine(edgeOnlyUser.username, edgeOnlyUser.password)].join("\n");
        const caSecrets = new Map([...httpsBackends].map(([service, transport]) => [transport.caSecret, backendCertificates.get(service)!]));
        const secrets = edge.secrets.map((secret) => {
            if (secret.metadata.name === webSecret) return { ...secret, stringData: { "tls.crt": webCertificate.certPem, "tls.key": webCertificate.keyPem, "ca.crt": pki.ca.certPem } };
            const backend = caSecrets.get(secret.metadata.name);
            if (backend) return { ...secret, stringData: { "tls.crt": backend.certPem, "tls.key": backend.keyPem, "ca.crt": pki.ca.certPem } };
            if (secret.type !== "kubernetes.io/tls") return { ...secret, stringData: { users } };
            throw new Error(`Traefik reads the Secret ${secret.metadata.name}, which the test does not fill`);
        });
        const loopback: Record<string, { host: string; ports: Record<string, number> }> = {};
        const routed = routedServices(edge.traefik);
        for (const service of edge.services) {
            const name = service.metadata.name;
            const app = service.metadata.labels?.["app.kubernetes.io/name"];
            if (extra?.services[name]) loopback[name] = { host: `${name}.loopback.test`, ports: extra.services[name] };
            else if (app === ORTHANC_APP && backends) loopback[name] = { host: `${name}.loopback.test`, ports: backends.orthancPorts };
            else if (app === OHIF_APP && backends) loopback[name] = { host: `${name}.loopback.test`, ports: { http: backends.viewer.port } };
            else if (routed.has(`${appNamespace}/${name}`)) {
                // A routed Service whose software cannot run here (dcm4chee) or was not started: a loopback server
                // that answers with the Service's name, so a test sees which Service Traefik chose.
                // Over HTTPS on the port a ServersTransport verifies, with a certificate for the Service's names.
                const plain = await startIdentityBackend(name);
                const https = httpsBackends.get(name) && (await startIdentityBackend(name, backendCertificates.get(name)));
                identities.push(plain, ...(https ? [https] : []));
                const portNames = (service.spec.ports as { name: string; port: number }[]).filter((p) => routed.get(`${appNamespace}/${name}`)!.has(p.port));
                const portOf = (p: { port: number }) => (https && p.port === httpsBackends.get(name)!.port ? https.port : plain.port);
                loopback[name] = { host: `${name}.loopback.test`, ports: Object.fromEntries(portNames.map((p) => [p.name, portOf(p)])) };
            }
        }
        const slices = edge.services.filter((s) => loopback[s.metadata.name]).map((s) => loopbackEndpointSlice(s, loopback[s.metadata.name].host, loopback[s.metadata.name].ports));
        const applied = [...edge.services, ...slices, ...secrets, ...edge.traefik].map((object) => extra?.rewrite?.(object) ?? object);
        for (const object of applied) await api.apply(object);
        for (const key of routed.keys()) {
            const [namespace, name] = key.split("/");
            if (namespace !== appNamespace || !edge.services.some((s) => s.metadata.name === name)) throw new Error(`a route names ${key}, which the plan does not render`);
        }

        // Traefik, with the chart's arguments for the release's values and a token of its ServiceAccount.
        const tokenFile = join(work, "token");
        writeFileSync(tokenFile, await serviceAccountToken(api, release.namespace, account.metadata.name!), { mode: 0o600 });
        const merged = mergeChartValues(TRAEFIK_CHART_DEFAULTS, release.values);
        const exposedPorts = Object.fromEntries(Object.entries(merged.ports as Record<string, any>).map(([name, port]) => [name, port.exposedPort]));
        traefik = await startLoopbackTraefik({
            binary: tools.traefik,
            args: renderTraefikArguments(release.values, release.namespace),
            exposedPorts,
            kube: { url: api.url, tokenFile, caFile: api.caFile },
            loopbackNames: Object.values(loopback).map((l) => l.host),
            workDir: join(work, "traefik"),
            ports: { websecure: websecurePort },
        });
        // Until the provider has read the routes, every path answers 404; then the login asks for credentials
        // (basic auth: 401; single sign-on: a redirect to the sign-in page).
        const target = { domain, httpsPort: traefik.ports.websecure, caPem: pki.ca.certPem };
        const serving = async () => [401, 302].includes((await edgeRequest(target, "/")).status);
        await waitFor("Traefik serving the rendered routes", serving, { process: traefik.process, timeoutMs: 60_000, intervalMs: 250 });
        return { ...target, api, traefik, orthanc: backends?.orthanc, postgres: backends?.postgres, orthancHttps: backends?.https, plannedOrthancConfig, pki, webCertificate, user, edgeOnlyUser, appNamespace, applied, stop };
    } catch (error) {
        await stop();
        throw error;
    }
}
