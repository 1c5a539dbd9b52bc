import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PlanResult, byType, one, planStack } from "../harness/plan-runner";
import { REPO_ROOT } from "../harness/stack-config";
import { VARIANTS } from "../harness/variants";

const K = {
    configMap: "kubernetes:core/v1:ConfigMap",
    deployment: "kubernetes:apps/v1:Deployment",
    service: "kubernetes:core/v1:Service",
    secret: "kubernetes:core/v1:Secret",
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    release: "kubernetes:helm.sh/v3:Release",
    ingressRoute: "kubernetes:traefik.io/v1alpha1:IngressRoute",
    tcpRoute: "kubernetes:traefik.io/v1alpha1:IngressRouteTCP",
    policy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    certRequest: "tls:index/certRequest:CertRequest",
    signedCert: "tls:index/locallySignedCert:LocallySignedCert",
    selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
    provider: "pulumi:providers:kubernetes",
};

const inputs = (r: { inputs: Record<string, unknown> }) => r.inputs as any;

function orthancConfig(plan: PlanResult) {
    return JSON.parse(inputs(one(plan, K.configMap, "pacstack-orthanc-config")).data["orthanc.json"]);
}

function policyAllows(plan: PlanResult, namespace: string, direction: "ingress" | "egress", podLabel: string, port: number): boolean {
    return byType(plan, K.policy).some((p) => {
        const doc = inputs(p);
        const selects = Object.values(doc.spec.podSelector.matchLabels ?? {}).includes(podLabel);
        const rules = (doc.spec[direction] ?? []) as { ports?: { port: number }[] }[];
        return doc.metadata.namespace === namespace && selects && rules.some((rule) => rule.ports?.some((p) => p.port === port));
    });
}

describe("platform: the whole program under Pulumi mocks", function () {
    this.timeout(120000);
    let dev: PlanResult;
    let prod: PlanResult;
    before(async () => {
        [dev, prod] = await Promise.all([planStack("dev"), planStack("prod"), ...VARIANTS.map((v) => planStack(v.stack, v.overrides))]);
    });

    for (const variant of VARIANTS) {
        it(`runs for ${variant.label} and builds every component`, async () => {
            const plan = await planStack(variant.stack, variant.overrides);
            assert.equal(plan.code, 0, plan.stderr);
            const components = plan.resources.filter((r) => r.type.startsWith("pacstack:index:")).map((r) => r.type);
            const archives = JSON.parse(String(variant.overrides.archives ?? '["orthanc"]')) as string[];
            // PostgreSQL is always there: Keycloak keeps its data in it, whichever archives the site holds.
            const expected = ["Platform", "Certificates", "Traefik", "Routes", "IsolatedNamespace", "OhifViewer", "Postgres", "Keycloak"];
            const perArchive = { orthanc: ["Orthanc"], dcm4chee: ["Dcm4chee"] } as Record<string, string[]>;
            for (const archive of ["orthanc", "dcm4chee"]) {
                for (const token of perArchive[archive]) {
                    assert.equal(components.includes(`pacstack:index:${token}`), archives.includes(archive), `${token} ${archives.includes(archive) ? "missing" : "deployed without ${archive}"}`);
                }
            }
            for (const token of expected) {
                assert.ok(components.includes(`pacstack:index:${token}`), `${token} missing`);
            }
        });
    }

    it("exports the web URL, DICOM endpoint, CA certificate and admin credentials (password secret)", () => {
        assert.deepEqual(dev.outputs, {
            adminPassword: "[secret]",
            adminUsername: "admin",
            archiveUis: { orthanc: "https://pacs.minikube.test:30443/orthanc/" },
            caCertificate: "-----BEGIN CERTIFICATE-----\npacstack-ca\n-----END CERTIFICATE-----\n",
            // The mocks start every certificate on 2026-01-01: a year for the leaves, ten for the CA.
            certificateExpiries: {
                ca: "2035-12-30T00:00:00Z",
                database: "2027-01-01T00:00:00Z",
                dicom: "2027-01-01T00:00:00Z",
                "modality-ct-scanner": "2027-01-01T00:00:00Z",
                "modality-workstation": "2027-01-01T00:00:00Z",
                "orthanc-https": "2027-01-01T00:00:00Z",
                "session-store": "2027-01-01T00:00:00Z",
                web: "2027-01-01T00:00:00Z",
            },
            dicomEndpoint: { aeTitle: "ORTHANC", host: "pacs.minikube.test", port: 31112 },
            dicomEndpoints: { orthanc: { aeTitle: "ORTHANC", host: "pacs.minikube.test", port: 31112 } },
            keycloakAdminConsole: "https://pacs.minikube.test:30443/auth/admin/master/console/",
            keycloakAdminPassword: "[secret]",
            keycloakAdminUsername: "pacstack-admin",
            keycloakUrl: "https://pacs.minikube.test:30443/auth",
            modalityCredentials: {
                "ct-scanner": { certificatePem: "[secret]", privateKeyPem: "[secret]" },
                workstation: { certificatePem: "[secret]", privateKeyPem: "[secret]" },
            },
            orthancPeerCredentials: {},
            scriptsClientId: "pacstack-scripts",
            scriptsClientSecret: "[secret]",
            tokenUrl: "https://pacs.minikube.test:30443/auth/realms/pacstack/protocol/openid-connect/token",
            viewerUrl: "https://pacs.minikube.test:30443/",
            warnings: [
                "pacstack:postgres.image = docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4 receives no security fixes (Bitnami's frozen legacy catalogue): " +
                    "set postgres.image to a maintained Bitnami-built image, e.g. from a Bitnami Secure Images registry with postgres.imagePullSecrets (README: PostgreSQL image)",
            ],
            webPassword: "[secret]",
            webUrl: "https://pacs.minikube.test:30443/",
            webUsername: "pacstack",
        });
        assert.deepEqual(prod.outputs.dicomEndpoint, { aeTitle: "ORTHANC", host: "pacs.example.org", port: 11112 });
        assert.equal(prod.outputs.webUrl, "https://pacs.example.org/");
    });

    it("deploys through a provider bound to the stack's kube context", () => {
        assert.equal(inputs(one(dev, K.provider, "pacstack-kubernetes")).context, "minikube");
        assert.equal(inputs(one(prod, K.provider, "pacstack-kubernetes")).context, undefined);
    });

    it("points Orthanc's database at the PostgreSQL release's Service and its password Secret", () => {
        const release = inputs(one(dev, K.release, "pacstack-postgresql"));
        const config = orthancConfig(dev);
        assert.equal(release.values.fullnameOverride, "pacstack-postgresql");
        assert.equal(config.PostgreSQL.Host, `${release.values.fullnameOverride}.${release.namespace}.svc.cluster.local`);
        assert.equal(config.PostgreSQL.Port, 5432);
        assert.equal(config.PostgreSQL.Database, release.values.auth.database);
        assert.equal(config.PostgreSQL.Username, release.values.auth.username);
        const env = inputs(one(dev, K.deployment, "pacstack-orthanc")).spec.template.spec.containers[0].env;
        const password = env.find((e: any) => e.name === "ORTHANC_DB_PASSWORD");
        assert.equal(password.valueFrom.secretKeyRef.name, release.values.auth.existingSecret);
        assert.equal(password.valueFrom.secretKeyRef.key, release.values.auth.secretKeys.userPasswordKey);
        assert.deepEqual(inputs(one(dev, K.secret, release.values.auth.existingSecret)).stringData, {
            password: "[secret]",
            "postgres-password": "[secret]",
        });
    });

    it("serves the database certificate for the names Orthanc connects to", () => {
        const release = inputs(one(dev, K.release, "pacstack-postgresql"));
        assert.equal(release.values.tls.certificatesSecret, "pacstack-database-tls");
        assert.equal(inputs(one(dev, K.secret, "pacstack-database-tls")).type, "kubernetes.io/tls");
        assert.ok(inputs(one(dev, K.certRequest, "pacstack-database")).dnsNames.includes(orthancConfig(dev).PostgreSQL.Host));
    });

    it("routes DICOM from Traefik's dicom entrypoint to Orthanc's DICOM port", () => {
        const tcp = inputs(one(dev, K.tcpRoute, "pacstack-routes-orthanc-dicom-ingressroutetcp"));
        const service = inputs(one(dev, K.service, "pacstack-orthanc"));
        const dicomPort = service.spec.ports.find((p: any) => p.name === "dicom").port;
        assert.deepEqual(tcp.spec.routes[0].services, [{ name: service.metadata.name, port: dicomPort }]);
        assert.equal(dicomPort, orthancConfig(dev).DicomPort);
        const traefik = inputs(one(dev, K.release, "pacstack-traefik"));
        assert.deepEqual(tcp.spec.entryPoints, ["dicom"]);
        assert.equal(traefik.values.ports.dicom.port, 11112);
        assert.ok(traefik.values.providers.kubernetesCRD.namespaces.includes(tcp.metadata.namespace));
    });

    it("gives DICOMweb the public host and port of the web URL (node port on minikube, none on 443)", () => {
        assert.equal(dev.outputs.webUrl, "https://pacs.minikube.test:30443/");
        assert.deepEqual([orthancConfig(dev).DicomWeb.Host, orthancConfig(dev).DicomWeb.Ssl], ["pacs.minikube.test:30443", true]);
        assert.equal(prod.outputs.webUrl, "https://pacs.example.org/");
        assert.equal(orthancConfig(prod).DicomWeb.Host, "pacs.example.org");
    });

    it("with a peer and forwarding: the password generated into a Secret (env), the script and the peer in the ConfigMap, egress to the peer's port", async () => {
        const variant = VARIANTS.find((v) => v.label === "Orthanc peer and forwarding (cloud)")!;
        const plan = await planStack(variant.stack, variant.overrides);
        assert.equal(plan.code, 0, plan.stderr);
        assert.ok(plan.resources.some((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "pacstack-orthanc-peer-research"));
        assert.deepEqual(inputs(one(plan, K.secret, "pacstack-orthanc-peers")).stringData, { research: "[secret]" });
        const env = inputs(one(plan, K.deployment, "pacstack-orthanc")).spec.template.spec.containers[0].env;
        assert.deepEqual(env.find((e: any) => e.name === "ORTHANC_PEER_RESEARCH_PASSWORD").valueFrom, { secretKeyRef: { key: "research", name: "pacstack-orthanc-peers" } });
        const data = inputs(one(plan, K.configMap, "pacstack-orthanc-config")).data;
        assert.deepEqual(Object.keys(data).sort(), ["forwarding.lua", "orthanc.json", "trusted-modalities.pem"]);
        const config = JSON.parse(data["orthanc.json"]);
        assert.deepEqual(config.OrthancPeers, {
            research: { Password: "${ORTHANC_PEER_RESEARCH_PASSWORD}", Url: "https://research.hospital.org:8443/orthanc/", Username: "pacs-forwarder" },
        });
        assert.deepEqual(config.LuaScripts, ["/etc/pacstack/orthanc/forwarding.lua"]);
        assert.match(data["forwarding.lua"], /"\/peers\/" \.\. "research" \.\. "\/store",\n {4}"\/modalities\/" \.\. "teaching-pacs"/);
        const egress = inputs(one(plan, K.policy, "pacstack-orthanc-peers-egress"));
        assert.deepEqual(egress.spec.egress, [{ ports: [{ port: 8443, protocol: "TCP" }] }]);
        assert.deepEqual(plan.outputs.orthancPeerCredentials, { research: { password: "[secret]", username: "[secret]" } });
        assert.ok(!byType(dev, K.secret).some((r) => r.name === "pacstack-orthanc-peers"), "no peers Secret without peers");
    });

    it("keeps a given peer password out of every rendered document but its Secret", async () => {
        const password = "Given-peer-Passw0rd";
        const plan = await planStack("dev", { "orthanc.peers": JSON.stringify([{ name: "research", url: "https://r.example.org/", username: "u", password }]) });
        assert.equal(plan.code, 0, plan.stderr);
        assert.ok(!plan.text.includes(password) && !JSON.stringify(plan.outputs).includes(password), "the password appears in the plan");
        assert.ok(!plan.resources.some((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "pacstack-orthanc-peer-research"), "nothing generated");
    });

    it("gives Orthanc the same body limit as the edge's upload limit", () => {
        const limit = inputs(one(dev, "kubernetes:traefik.io/v1alpha1:Middleware", "pacstack-routes-upload-limit-middleware"));
        assert.equal(orthancConfig(dev).MaximumRequestBodySizeMB * 1024 * 1024, limit.spec.buffering.maxRequestBodyBytes);
        assert.equal(orthancConfig(dev).MaximumRequestBodySizeMB, 2048);
    });

    it("routes HTTPS paths to Orthanc's HTTPS port with the web certificate, verifying Orthanc's own certificate", () => {
        const route = inputs(one(dev, K.ingressRoute, "pacstack-routes-web-ingressroute"));
        const httpPort = orthancConfig(dev).HttpPort;
        const orthancRouters = route.spec.routes.filter((r: any) => /`\/(orthanc|dicom-web)`/.test(r.match));
        // Reads and writes of both routes, and the Explorers' pages under single sign-on (they redirect to the sign-in).
        assert.equal(orthancRouters.length, 5);
        for (const router of orthancRouters) {
            assert.deepEqual(router.services, [{ kind: "Service", name: "pacstack-orthanc", port: httpPort, scheme: "https", serversTransport: "pacstack-routes-to-pacstack-orthanc" }]);
        }
        // The ServersTransport trusts the CA of the Secret whose certificate Orthanc serves (SslCertificate).
        const transport = inputs(one(dev, "kubernetes:traefik.io/v1alpha1:ServersTransport", "pacstack-routes-to-pacstack-orthanc-serverstransport"));
        const pod = inputs(one(dev, K.deployment, "pacstack-orthanc")).spec.template.spec;
        const httpsMount = pod.containers[0].volumeMounts.find((m: any) => `${orthancConfig(dev).SslCertificate}`.startsWith(`${m.mountPath}/`));
        const httpsVolume = pod.volumes.find((v: any) => v.name === httpsMount.name);
        assert.deepEqual(transport.spec.rootCAs, [{ secret: httpsVolume.secret.secretName }]);
        assert.equal(transport.spec.serverName, "pacstack-orthanc.pacstack.svc");
        assert.ok(inputs(one(dev, K.certRequest, "pacstack-orthanc-https")).dnsNames.includes(transport.spec.serverName));
        assert.equal(route.spec.tls.secretName, "pacstack-web-tls");
        assert.equal(inputs(one(dev, K.secret, "pacstack-web-tls")).metadata.namespace, route.metadata.namespace);
    });

    it("mounts the DICOM TLS Secret Orthanc's configuration points at", () => {
        const pod = inputs(one(dev, K.deployment, "pacstack-orthanc")).spec.template.spec;
        const volume = pod.volumes.find((v: any) => v.name === "dicom-tls");
        const mount = pod.containers[0].volumeMounts.find((m: any) => m.name === "dicom-tls");
        assert.equal(volume.secret.secretName, "pacstack-dicom-tls");
        assert.equal(orthancConfig(dev).DicomTlsCertificate, `${mount.mountPath}/tls.crt`);
        assert.ok(inputs(one(dev, K.certRequest, "pacstack-dicom")).dnsNames.includes("pacs.minikube.test"));
    });

    it("opens exactly the flows the wiring needs: Traefik to Orthanc, Orthanc to PostgreSQL", () => {
        assert.ok(policyAllows(dev, "pacstack", "ingress", "orthanc", 8042));
        assert.ok(policyAllows(dev, "pacstack", "ingress", "orthanc", 4242));
        assert.ok(policyAllows(dev, "pacstack-ingress", "egress", "traefik", 4242));
        assert.ok(policyAllows(dev, "pacstack", "egress", "orthanc", 5432));
        assert.ok(policyAllows(dev, "pacstack", "ingress", "postgresql", 5432));
        assert.ok(!policyAllows(dev, "pacstack", "ingress", "postgresql", 8042));
    });

    it("issues a client certificate per configured modality (self-signed); the archives' DICOM certificate is a client one too (C-MOVE)", () => {
        const clients = [...byType(dev, K.signedCert), ...byType(dev, K.selfSignedCert)].filter((c) => inputs(c).allowedUses.includes("client_auth"));
        assert.deepEqual(clients.map((c) => c.name).sort(), ["pacstack-dicom", "pacstack-modality-ct-scanner", "pacstack-modality-workstation"]);
        assert.deepEqual(byType(dev, K.selfSignedCert).map((c) => c.name).sort(), ["pacstack-ca", "pacstack-modality-ct-scanner", "pacstack-modality-workstation"]);
        const dicom = clients.find((c) => c.name === "pacstack-dicom");
        assert.ok(dicom && inputs(dicom).allowedUses.includes("server_auth"));
    });

    it("runs shared replicas on ReadWriteMany storage without the database lock (prod)", () => {
        const deployment = inputs(one(prod, K.deployment, "pacstack-orthanc"));
        assert.equal(deployment.spec.replicas, 2);
        assert.equal(deployment.spec.strategy.type, "Recreate");
        const claim = inputs(one(prod, K.pvc, "pacstack-orthanc-storage"));
        assert.deepEqual(claim.spec.accessModes, ["ReadWriteMany"]);
        assert.equal(claim.spec.storageClassName, "nfs-client");
        assert.equal(orthancConfig(prod).PostgreSQL.Lock, false);
        assert.equal(inputs(one(prod, K.release, "pacstack-traefik")).values.service.spec.type, "LoadBalancer");
    });

    it("uses a user-supplied web certificate instead of issuing one", async () => {
        const plan = await planStack("dev", VARIANTS[3].overrides);
        assert.equal(plan.resources.some((r) => r.type === K.secret && r.name === "pacstack-web-tls"), false);
        assert.equal(plan.resources.some((r) => r.type === K.certRequest && r.name === "pacstack-web"), false);
        assert.equal(inputs(one(plan, K.ingressRoute, "pacstack-routes-web-ingressroute")).spec.tls.secretName, "hospital-wildcard-tls");
    });

    it("keeps the namespaces, the DICOM volume, the backups and the database's credentials on destroy, and adopts them on the next deployment", () => {
        const adopt = "pacstack-kubernetes-adopt";
        assert.deepEqual(dev.keptOnDestroy, [
            { type: "kubernetes:core/v1:Namespace", name: "pacstack", provider: adopt },
            { type: "kubernetes:core/v1:Namespace", name: "pacstack-ingress", provider: adopt },
            { type: "kubernetes:core/v1:PersistentVolumeClaim", name: "pacstack-orthanc-storage", provider: adopt },
            { type: "kubernetes:core/v1:PersistentVolumeClaim", name: "pacstack-postgresql-backup", provider: adopt },
            { type: "kubernetes:core/v1:Secret", name: "pacstack-keycloak", provider: adopt },
            { type: "kubernetes:core/v1:Secret", name: "pacstack-postgresql-credentials", provider: adopt },
        ]);
        const providers = byType(dev, K.provider).map((p) => [p.name, inputs(p).upsertExistingObjects, inputs(p).context]);
        assert.deepEqual(providers, [
            ["pacstack-kubernetes", undefined, "minikube"],
            [adopt, "true", "minikube"], // provider inputs travel as strings
        ]);
    });

    it("rejects invalid settings before registering any resource", async () => {
        const plan = await planStack("dev", { platform: "openshift", orthancReplicas: 0 });
        assert.equal(plan.code, 1);
        assert.match(plan.stderr, /pacstack:platform = "openshift": must be one of minikube, microk8s, cloud/);
        assert.match(plan.stderr, /pacstack:orthancReplicas = 0: must be an integer from 1 to 10/);
        assert.match(plan.stderr, /^0 resources registered$/m);
    });

    it("rejects several replicas without shared storage, naming both settings", async () => {
        const plan = await planStack("dev", { orthancReplicas: 2 });
        assert.equal(plan.code, 1);
        assert.match(plan.stderr, /pacstack:orthancReplicas = 2: .*pacstack:orthancSharedStorageClass/);
        assert.match(plan.stderr, /^0 resources registered$/m);
    });

    it("`npm run plan` writes the same deterministic plan on every run", async () => {
        const outdir = mkdtempSync(join(tmpdir(), "pacstack-npm-plan-"));
        await promisify(execFile)("npm", ["run", "--silent", "plan", "--", "dev", outdir], { cwd: REPO_ROOT });
        const text = readFileSync(join(outdir, "resources.json"), "utf8");
        assert.equal(text, dev.text, "two runs of the dev plan differ");
        const resources = JSON.parse(text) as { type: string; name: string; inputs: unknown }[];
        assert.ok(resources.every((r) => Object.keys(r).join() === "type,name,inputs"));
        assert.doesNotMatch(text, /MOCK-SECRET/, "a generated secret reached the plan unredacted");
    });
});
