/**
 * The browser test's stack on loopback: PostgreSQL + Orthanc from the real-software harness (production
 * configuration, web user registered), one CT study stored over DICOM TLS, the OHIF dist with the rendered
 * app-config.js, and the edge proxy running the rendered IngressRoute and Middlewares in front of both.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderOhifAppConfig } from "../../components/ohif/app-config";
import { renderOrthancCredentials } from "../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { ORTHANC_WEB_PATHS, orthancPublication } from "../../components/orthanc/publication";
import { viewerPublication } from "../../components/ohif/publication";
import { renderRouteTable } from "../../components/routes/table";
import { EdgeInput, renderIngressRoute, renderMiddlewares } from "../../components/routes/traefik-resources";
import { WEB_USERNAME } from "../../components/platform/platform";
import { EdgeProxy, startEdgeProxy } from "../harness/browser/edge-proxy";
import { ensureOhifDist } from "../harness/browser/ohif-dist";
import { startStaticViewer } from "../harness/browser/static-viewer";
import { DicomSample, freshCtSample, store } from "../harness/real/dicom";
import { OrthancServer, startOrthanc } from "../harness/real/orthanc";
import { orthancTier, OrthancTierId, tierWorkDir } from "../harness/real/orthanc-tiers";
import { createTestPki } from "../harness/real/pki";
import { PostgresServer, startPostgres } from "../harness/real/postgres";
import { freePort, stopAllProcesses } from "../harness/real/processes";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";

/** Service names as the platform names them (the edge maps them to loopback ports). */
export const SERVICES = { orthanc: "pacstack-orthanc", viewer: "pacstack-viewer" } as const;

export interface ViewerStack {
    proxy: EdgeProxy;
    baseUrl: string;
    user: { username: string; password: string };
    /** A user the edge's users Secret holds but Orthanc does not: proves Orthanc keeps its own authentication. */
    edgeOnlyUser: { username: string; password: string };
    sample: DicomSample;
    appConfig: string;
    orthanc: OrthancServer;
    stop(): Promise<void>;
}

export async function startViewerStack(tierId: OrthancTierId = "debian12"): Promise<ViewerStack> {
    const dist = ensureOhifDist();
    const tier = orthancTier(tierId);
    const work = mkdtempSync(join(tmpdir(), "pacstack-browser-"));
    chmodSync(work, 0o711); // PostgreSQL runs as `postgres` and must reach its folder inside
    const podsDir = tierWorkDir(tier, "pacstack-browser-");
    let postgres: PostgresServer | undefined;
    let orthanc: OrthancServer | undefined;
    const closers: (() => Promise<void>)[] = [];
    const stop = async () => {
        for (const close of closers.reverse()) await close();
        await orthanc?.stop();
        await postgres?.stop();
        await stopAllProcesses();
        for (const dir of [work, podsDir]) rmSync(dir, { recursive: true, force: true });
    };
    try {
        const pki = await createTestPki(join(work, "pki"));
        const [pgPort, httpPort, dicomPort] = await Promise.all([freePort(), freePort(), freePort()]);
        postgres = await startPostgres({ dir: join(work, "postgres"), port: pgPort, tls: { cert: pki.server.cert, key: pki.server.key } });
        const dbPassword = await postgres.createRoleAndDatabase("orthanc", "orthanc");
        const user = { username: WEB_USERNAME, password: randomBytes(16).toString("hex") };
        orthanc = await startOrthanc({
            production: renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, name: SERVICES.orthanc }),
            // As the Orthanc component renders it: the administrator and the platform's web user.
            credentials: renderOrthancCredentials({ admin: randomBytes(16).toString("hex"), [user.username]: user.password }),
            target: { root: join(podsDir, "pod"), httpPort, dicomPort, database: { host: "127.0.0.1", port: pgPort }, tier },
            tls: { certPem: pki.server.certPem, keyPem: pki.server.keyPem, caPem: pki.ca.certPem },
            dbPassword,
        });
        const sample = await freshCtSample(join(work, "dicom"));
        const stored = await store({ port: dicomPort, calledAe: "ORTHANC", tls: { mode: "client", cert: pki.client.cert, key: pki.client.key, ca: pki.ca.cert } }, [sample.file]);
        if (stored.code !== 0) throw new Error(`C-STORE over DICOM TLS failed:\n${stored.output}`);

        const paths = { orthanc: ORTHANC_WEB_PATHS };
        const appConfig = renderOhifAppConfig({
            routerBasename: "/",
            dataSources: [{ name: "orthanc", friendlyName: "Orthanc", archive: "orthanc", dicomWebPath: paths.orthanc.dicomWeb, wadoUriPath: paths.orthanc.wadoUri }],
            defaultDataSource: "orthanc",
        });
        const viewer = await startStaticViewer(dist, appConfig);
        closers.push(viewer.close);
        const edgeOnlyUser = { username: "edge-only", password: randomBytes(16).toString("hex") };
        const pods = { namespace: "pacstack", podLabels: {} };
        const table = renderRouteTable([
            orthancPublication({ service: SERVICES.orthanc, pods, uploadLimitMiB: 2048, metricsUser: { username: "admin", password: "unused" } }),
            viewerPublication({ service: SERVICES.viewer, pods, path: "/" }),
        ]);
        // The browser reaches the edge as 127.0.0.1: that is the "domain" of the rendered rules here.
        const edge: EdgeInput = {
            name: "pacstack-routes",
            namespace: "pacstack",
            domain: "127.0.0.1",
            webEntryPoint: "websecure",
            tlsSecretName: "pacstack-web-tls",
            uploadLimitMiB: 2048,
            authSecretName: "pacstack-routes-web-users",
        };
        const proxy = await startEdgeProxy({
            routes: renderIngressRoute(edge, table).spec.routes,
            middlewares: renderMiddlewares(edge, table),
            upstreams: { [SERVICES.orthanc]: httpPort, [SERVICES.viewer]: viewer.port },
            users: { [user.username]: user.password, [edgeOnlyUser.username]: edgeOnlyUser.password },
        });
        closers.push(proxy.close);
        return { proxy, baseUrl: `http://127.0.0.1:${proxy.port}`, user, edgeOnlyUser, sample, appConfig, orthanc, stop };
    } catch (error) {
        await stop();
        throw error;
    }
}
