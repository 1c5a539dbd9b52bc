import assert from "node:assert/strict";
import { runInNewContext } from "node:vm";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";
import { VARIANTS } from "../harness/variants";

const K = {
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    configMap: "kubernetes:core/v1:ConfigMap",
    secret: "kubernetes:core/v1:Secret",
    release: "kubernetes:helm.sh/v3:Release",
    ingressRoute: "kubernetes:traefik.io/v1alpha1:IngressRoute",
    tcpRoute: "kubernetes:traefik.io/v1alpha1:IngressRouteTCP",
    middleware: "kubernetes:traefik.io/v1alpha1:Middleware",
    serversTransport: "kubernetes:traefik.io/v1alpha1:ServersTransport",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;
const variant = (label: string) => VARIANTS.find((v) => v.label.startsWith(label))!;
const plan = (label: string) => planStack(variant(label).stack, variant(label).overrides);
const envOf = (container: any) => Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
const container = (p: PlanResult, name: string) => inputs(one(p, K.statefulSet, name)).spec.template.spec.containers[0];
const service = (p: PlanResult, name: string) => inputs(one(p, K.service, name));
const fqdn = (name: string) => `${name}.pacstack.svc.cluster.local`;

function appConfig(p: PlanResult): any {
    const window: Record<string, unknown> = { location: { origin: "https://pacs.minikube.test:30443" } };
    runInNewContext(inputs(one(p, K.configMap, "pacstack-viewer-config")).data["app-config.js"], { window });
    return JSON.parse(JSON.stringify(window.config));
}

function allows(p: PlanResult, namespace: string, direction: "ingress" | "egress", app: string, port: number): boolean {
    return byType(p, K.policy).some((policy) => {
        const doc = inputs(policy);
        const rules = (doc.spec[direction] ?? []) as { ports?: { port: number }[] }[];
        return doc.metadata.namespace === namespace && doc.spec.podSelector.matchLabels?.["app.kubernetes.io/name"] === app && rules.some((r) => r.ports?.some((x) => x.port === port));
    });
}

describe("dcm4chee and the viewer: wiring across the program (mocks)", function () {
    this.timeout(120_000);
    let only: PlanResult;
    let both: PlanResult;
    let prefixed: PlanResult;
    before(async () => {
        [only, both, prefixed] = await Promise.all([plan("dcm4chee only"), plan("Orthanc and dcm4chee"), plan("both archives, viewer under /viewer")]);
        for (const p of [only, both, prefixed]) assert.equal(p.code, 0, p.stderr);
    });

    it("deploys no Orthanc without orthanc in archives; the Bitnami PostgreSQL and its certificate stay, for Keycloak", () => {
        assert.equal(byType(only, K.release).some((r) => r.name === "pacstack-postgresql"), true);
        assert.equal(byType(only, K.deployment).some((r) => r.name === "pacstack-orthanc"), false);
        assert.equal(only.resources.some((r) => r.name === "pacstack-database-tls"), true);
        assert.deepEqual(byType(only, K.statefulSet).map((r) => r.name).sort(), ["pacstack-dcm4chee", "pacstack-dcm4chee-db", "pacstack-dcm4chee-ldap"]);
    });

    it("points the archive at the LDAP and PostgreSQL Services, with passwords from mounted Secret files", () => {
        const archive = container(only, "pacstack-dcm4chee");
        const env = envOf(archive);
        const ldap = service(only, "pacstack-dcm4chee-ldap");
        const db = service(only, "pacstack-dcm4chee-db");
        assert.equal(env.LDAP_URL, `ldaps://${fqdn(ldap.metadata.name)}:${ldap.spec.ports[0].port}`);
        assert.equal(env.POSTGRES_HOST, fqdn(db.metadata.name));
        assert.equal(env.POSTGRES_PORT, String(db.spec.ports[0].port));
        assert.equal(env.WILDFLY_WAIT_FOR, `${env.LDAP_URL.slice("ldaps://".length)} ${env.POSTGRES_HOST}:${env.POSTGRES_PORT}`);
        assert.equal(env.HTTP_PROXY_ADDRESS_FORWARDING, "true");
        const database = envOf(container(only, "pacstack-dcm4chee-db"));
        assert.equal(env.POSTGRES_DB, database.POSTGRES_DB);
        assert.equal(env.POSTGRES_USER, database.POSTGRES_USER);
        assert.equal(env.POSTGRES_PASSWORD_FILE, database.POSTGRES_PASSWORD_FILE);
        const secrets = inputs(one(only, K.statefulSet, "pacstack-dcm4chee")).spec.template.spec.volumes.find((v: any) => v.name === "secrets").secret;
        const mount = archive.volumeMounts.find((m: any) => m.name === "secrets").mountPath;
        for (const file of [env.POSTGRES_PASSWORD_FILE, env.LDAP_ROOTPASS_FILE, env.KEYSTORE_PASSWORD_FILE, env.TRUSTSTORE_PASSWORD_FILE]) {
            assert.ok(secrets.items.some((item: any) => `${mount}/${item.path}` === file), `${file} is not mounted`);
        }
        assert.equal(secrets.secretName, "pacstack-dcm4chee-credentials");
        assert.deepEqual(Object.keys(inputs(one(only, K.secret, "pacstack-dcm4chee-credentials")).stringData).sort(), [
            "database-password",
            "keystore-password",
            "ldap-config-password",
            "ldap-root-password",
        ]);
    });

    it("configures LDAP with the AE title, the storage volume and study links that open OHIF", async () => {
        const env = envOf(container(prefixed, "pacstack-dcm4chee-ldap"));
        assert.equal(env.AE_TITLE, "HOSPITAL_PACS");
        assert.equal(env.ARCHIVE_HOST, "pacs.minikube.test");
        assert.equal(env.IID_STUDY_URL, "https://pacs.minikube.test:30443/viewer/viewer/dcm4chee?StudyInstanceUIDs={{studyUID}}");
        assert.equal(env.LDAP_URLS, "ldap://127.0.0.1:1389/ ldaps://:1636/");
        const archive = container(prefixed, "pacstack-dcm4chee");
        const storage = archive.volumeMounts.find((m: any) => m.subPath === "storage").mountPath;
        assert.equal(env.STORAGE_DIR, `${storage}/fs1`);
        assert.equal(archive.readinessProbe.httpGet.path, "/dcm4chee-arc/aets/HOSPITAL_PACS/rs/studies?limit=1");
        assert.equal(envOf(container(only, "pacstack-dcm4chee-ldap")).IID_STUDY_URL, "https://pacs.minikube.test:30443/viewer/dcm4chee?StudyInstanceUIDs={{studyUID}}");
    });

    it("exposes the archive's ports through Services whose targets are the containers' named ports", () => {
        for (const name of ["pacstack-dcm4chee", "pacstack-dcm4chee-ldap", "pacstack-dcm4chee-db"]) {
            const ports = container(only, name).ports.map((p: any) => p.name);
            for (const port of service(only, name).spec.ports) assert.ok(ports.includes(port.targetPort), `${name}: ${port.targetPort}`);
            assert.deepEqual(inputs(one(only, K.statefulSet, name)).spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        }
        assert.deepEqual(container(only, "pacstack-dcm4chee").ports.map((p: any) => [p.name, p.containerPort]), [["http", 8080], ["https", 8443], ["dicom", 11112], ["dicom-tls", 2762], ["hl7-tls", 12575]]);
        assert.ok(!service(only, "pacstack-dcm4chee").spec.ports.some((p: any) => p.name === "http"), "plain HTTP stays inside the pod (probes)");
    });

    it("mounts every claim sub-directory the init container creates, and builds the key stores from the DICOM TLS Secret", () => {
        for (const name of ["pacstack-dcm4chee", "pacstack-dcm4chee-ldap", "pacstack-dcm4chee-db"]) {
            const pod = inputs(one(only, K.statefulSet, name)).spec.template.spec;
            const dirs = pod.initContainers[0].command[2] as string;
            for (const mount of pod.containers[0].volumeMounts.filter((m: any) => m.subPath)) {
                assert.ok(dirs.includes(`/pacstack/volume/${mount.subPath}`), `${name}: ${mount.subPath} is not created`);
            }
        }
        const pod = inputs(one(only, K.statefulSet, "pacstack-dcm4chee")).spec.template.spec;
        assert.equal(pod.volumes.find((v: any) => v.name === "dicom-tls").secret.secretName, "pacstack-dicom-tls");
        assert.equal(pod.volumes.find((v: any) => v.name === "keystores").emptyDir.medium, "Memory");
        const env = envOf(pod.containers[0]);
        assert.deepEqual(pod.initContainers[1].command.slice(-3, -1), [env.KEYSTORE, env.TRUSTSTORE]);
        // Besides the CA, the trust store holds the modalities' own certificates, from the scripts ConfigMap.
        const scripts = inputs(one(only, K.configMap, "pacstack-dcm4chee-scripts")).data;
        assert.equal(pod.initContainers[1].command.at(-1), "/etc/pacstack/dcm4chee/trusted-modalities.pem");
        assert.match(scripts["trusted-modalities.pem"], /^-----BEGIN CERTIFICATE-----\n/);
    });

    it("routes /dcm4chee-arc to the archive's HTTPS behind the web user, and its DICOM-TLS entrypoint (11113) to port 2762", () => {
        const route = inputs(one(both, K.ingressRoute, "pacstack-routes-web-ingressroute"));
        const routers = route.spec.routes.filter((r: any) => r.match.includes("`/dcm4chee-arc`"));
        assert.equal(routers.length, 2);
        for (const router of routers) {
            assert.deepEqual(router.services, [
                { kind: "Service", name: "pacstack-dcm4chee", port: 8443, scheme: "https", serversTransport: "pacstack-routes-to-pacstack-dcm4chee" },
            ]);
            assert.ok(router.middlewares.some((m: any) => m.name === "pacstack-routes-web-auth"));
        }
        // Wildfly presents its KEYSTORE: the DICOM certificate, which also names the archive's Service.
        const transport = inputs(one(both, K.serversTransport, "pacstack-routes-to-pacstack-dcm4chee-serverstransport"));
        assert.deepEqual(transport.spec, { insecureSkipVerify: false, rootCAs: [{ secret: "pacstack-dicom-tls" }], serverName: "pacstack-dcm4chee.pacstack.svc" });
        const auth = inputs(one(both, K.middleware, "pacstack-routes-web-auth-middleware"));
        assert.deepEqual(auth.spec.basicAuth, { realm: "pacstack", removeHeader: true, secret: "pacstack-routes-web-users" });
        const forward = inputs(one(both, K.middleware, "pacstack-routes-web-auth-forward-middleware"));
        assert.equal(forward.spec.basicAuth.removeHeader, false);
        const tcp = inputs(one(both, K.tcpRoute, "pacstack-routes-dcm4chee-dicom-ingressroutetcp"));
        assert.deepEqual(tcp.spec, {
            entryPoints: ["dicom-dcm4chee"],
            routes: [{ match: "HostSNI(`*`)", middlewares: [{ name: "pacstack-routes-tcp-connections-per-source" }], services: [{ name: "pacstack-dcm4chee", port: 2762 }] }],
            tls: { passthrough: true },
        });
        const traefik = inputs(one(only, K.release, "pacstack-traefik")).values.ports["dicom-dcm4chee"];
        assert.deepEqual(traefik, { expose: { default: true }, exposedPort: 31113, nodePort: 31113, port: 11113, protocol: "TCP", transport: { respondingTimeouts: { readTimeout: "5s" } } });
        assert.equal(inputs(one(both, K.release, "pacstack-traefik")).values.ports["dicom-dcm4chee"].exposedPort, 11113);
    });

    it("opens exactly the dcm4chee flows: Traefik to HTTPS and DICOM-TLS, the archive to LDAP and PostgreSQL", () => {
        assert.ok(allows(only, "pacstack", "ingress", "dcm4chee-arc", 8443));
        assert.ok(!allows(only, "pacstack", "ingress", "dcm4chee-arc", 8080), "plain HTTP stays closed");
        assert.ok(allows(only, "pacstack", "ingress", "dcm4chee-arc", 2762));
        assert.ok(!allows(only, "pacstack", "ingress", "dcm4chee-arc", 11112), "plain DICOM stays closed");
        assert.ok(allows(only, "pacstack-ingress", "egress", "traefik", 2762));
        assert.ok(allows(only, "pacstack-ingress", "ingress", "traefik", 11113));
        assert.ok(allows(only, "pacstack", "egress", "dcm4chee-arc", 1636));
        assert.ok(allows(only, "pacstack", "ingress", "dcm4chee-ldap", 1636));
        assert.ok(allows(only, "pacstack", "egress", "dcm4chee-arc", 5432));
        assert.ok(allows(only, "pacstack", "ingress", "dcm4chee-db", 5432));
        assert.ok(!allows(only, "pacstack-ingress", "egress", "traefik", 1636), "Traefik never reaches LDAP");
        assert.ok(allows(only, "pacstack", "ingress", "ohif-viewer", 8080));
    });

    it("gives the viewer one data source per archive, in order, with the configured default", () => {
        assert.deepEqual(appConfig(only).dataSources.map((s: any) => s.sourceName), ["dcm4chee"]);
        const config = appConfig(both);
        assert.deepEqual(config.dataSources.map((s: any) => s.sourceName), ["orthanc", "dcm4chee"]);
        assert.equal(config.defaultDataSourceName, "dcm4chee");
        assert.equal(config.dataSources[1].configuration.qidoRoot, "https://pacs.minikube.test:30443/dcm4chee-arc/aets/DCM4CHEE/rs");
        assert.equal(appConfig(prefixed).dataSources[0].configuration.qidoRoot, "https://pacs.minikube.test:30443/dcm4chee-arc/aets/HOSPITAL_PACS/rs");
    });

    it("serves a viewer prefix without stripping it, redirects / to it and sets PUBLIC_URL and routerBasename to match", () => {
        const route = inputs(one(prefixed, K.ingressRoute, "pacstack-routes-web-ingressroute"));
        const viewer = route.spec.routes.filter((r: any) => r.services[0].name === "pacstack-viewer");
        assert.ok(viewer.some((r: any) => r.match === "Host(`pacs.minikube.test`) && (Path(`/viewer`) || PathPrefix(`/viewer/`))"));
        assert.ok(viewer.every((r: any) => !r.middlewares.some((m: any) => m.name.includes("strip"))));
        const redirect = viewer.find((r: any) => r.match === "Host(`pacs.minikube.test`) && Path(`/`)");
        assert.ok(redirect.middlewares.some((m: any) => m.name === "pacstack-routes-redirect-root"));
        assert.equal(inputs(one(prefixed, K.middleware, "pacstack-routes-redirect-root-middleware")).spec.redirectRegex.replacement, "${1}/viewer/");
        const nginx = inputs(one(prefixed, K.deployment, "pacstack-viewer")).spec.template.spec.containers[0];
        assert.equal(envOf(nginx).PUBLIC_URL, "/viewer/");
        assert.equal(appConfig(prefixed).routerBasename, "/viewer");
        assert.equal(prefixed.outputs.viewerUrl, "https://pacs.minikube.test:30443/viewer/");
    });

    it("exports the web user (password secret), the archive UIs and one DICOM endpoint per archive", () => {
        assert.equal(both.outputs.webUsername, "pacstack");
        assert.equal(both.outputs.webPassword, "[secret]");
        assert.deepEqual(both.outputs.archiveUis, { dcm4chee: "https://pacs.example.org/dcm4chee-arc/ui2/", orthanc: "https://pacs.example.org/orthanc/" });
        assert.deepEqual(both.outputs.dicomEndpoints, {
            dcm4chee: { aeTitle: "DCM4CHEE", host: "pacs.example.org", port: 11113 },
            orthanc: { aeTitle: "ORTHANC", host: "pacs.example.org", port: 11112 },
        });
        assert.deepEqual(both.outputs.dicomEndpoint, both.outputs.dicomEndpoints && (both.outputs.dicomEndpoints as any).dcm4chee);
        assert.equal(only.outputs.adminPassword, undefined);
    });
});
