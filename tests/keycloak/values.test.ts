import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { DATABASE_JOB_APP, SYNC_JOB_APP, renderDatabaseJob, renderSyncJob } from "../../components/keycloak/jobs";
import { keycloakPublication } from "../../components/keycloak/publication";
import { KEYCLOAK_BUILD_OPTIONS, SECRET_KEYS, keycloakPodLabels, renderKeycloakValues } from "../../components/keycloak/values";
import { KEYCLOAK_VERSION } from "../../components/keycloak/version";
import { REPO_ROOT } from "../harness/stack-config";

const resources = { requests: { cpu: "250m", memory: "768Mi" }, limits: { cpu: "2", memory: "1536Mi" } };
const input = {
    fullname: "pacstack-keycloak",
    image: { registry: "quay.io", repository: "keycloak/keycloak", tag: KEYCLOAK_VERSION },
    replicas: 2,
    publicUrl: "https://pacs.example.org/auth",
    database: { host: "pacstack-postgresql.pacstack.svc.cluster.local", port: 5432, name: "keycloak", username: "keycloak" },
    adminUsername: "pacstack-admin",
    syncClientId: "pacstack-realm-sync",
    secretName: "pacstack-keycloak",
    databaseCaSecret: "pacstack-database-tls",
    resources,
};
type Env = { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } };
const values = () => renderKeycloakValues(input) as Record<string, any>;
const LISTS = ["extraEnv", "extraInitContainers", "extraVolumes", "extraVolumeMounts"];
/**
 * A templated key as the chart's YAML reads it: lists appended (nindent) after an entry of the chart's own block
 * sequence, mappings as the whole value of their key.
 */
function templated(key: string, rendered: Record<string, any> = values()): any {
    const text: string = rendered[key];
    const indent = (t: string) => t.split("\n").map((line) => `    ${line}`).join("\n");
    if (LISTS.includes(key)) return (parse(`list:\n    - name: the-charts-own\n${indent(text)}\n`).list as unknown[]).slice(1);
    return parse(`value:\n${indent(text)}\n`).value;
}
const env = (): Env[] => templated("extraEnv");

describe("keycloak: the keycloakx chart values", () => {
    it("run the official image at the pinned version, built with the tests' build options and started --optimized", () => {
        assert.deepEqual(values().image, { repository: "quay.io/keycloak/keycloak", tag: KEYCLOAK_VERSION });
        assert.deepEqual(values().args, ["start", "--optimized"]);
        const [build] = templated("extraInitContainers");
        assert.equal(build.image, `quay.io/keycloak/keycloak:${KEYCLOAK_VERSION}`);
        assert.match(build.command[2], new RegExp(`^/opt/keycloak/bin/kc.sh build ${KEYCLOAK_BUILD_OPTIONS.join(" ")} && `));
        // The loopback tests run the server built with exactly these options.
        const tool = readFileSync(join(REPO_ROOT, "tests/tools/keycloak.sh"), "utf8");
        assert.ok(tool.includes(`"$home/bin/kc.sh" build ${KEYCLOAK_BUILD_OPTIONS.join(" ")} >&2`), "tests/tools/keycloak.sh builds with other options");
        const digest = renderKeycloakValues({ ...input, image: { ...input.image, tag: `sha256:${"a".repeat(64)}` } }) as Record<string, any>;
        assert.deepEqual(digest.image, { repository: "quay.io/keycloak/keycloak", digest: `sha256:${"a".repeat(64)}` });
    });

    it("serve under /auth on the public URL, trust Traefik's X-Forwarded-* and answer in-cluster clients on their own URL", () => {
        assert.equal(values().http.relativePath, "/auth");
        assert.deepEqual(values().proxy, { enabled: true, mode: "xforwarded", http: { enabled: true } });
        const byName = Object.fromEntries(env().map((e) => [e.name, e.value]));
        assert.equal(byName.KC_HOSTNAME, "https://pacs.example.org/auth");
        assert.equal(byName.KC_HOSTNAME_BACKCHANNEL_DYNAMIC, "true");
    });

    it("connect to pacstack's PostgreSQL with the server's certificate and name verified against the pacstack CA", () => {
        const url = env().find((e) => e.name === "KC_DB_URL")!.value!;
        assert.equal(url, "jdbc:postgresql://pacstack-postgresql.pacstack.svc.cluster.local:5432/keycloak?sslmode=verify-full&sslrootcert=/etc/pacstack/database-ca/ca.crt");
        const volumes = templated("extraVolumes") as any[];
        assert.deepEqual(volumes.find((v) => v.name === "database-ca").secret, { secretName: "pacstack-database-tls", items: [{ key: "ca.crt", path: "ca.crt" }] });
        assert.deepEqual(values().database, { vendor: "postgres", username: "keycloak", existingSecret: "pacstack-keycloak", existingSecretKey: SECRET_KEYS.databasePassword });
    });

    it("take every credential from the Secret: no password, secret or token is a literal", () => {
        for (const name of ["KC_BOOTSTRAP_ADMIN_PASSWORD", "KC_BOOTSTRAP_ADMIN_CLIENT_SECRET"]) {
            assert.equal(env().find((e) => e.name === name)?.valueFrom?.secretKeyRef.name, "pacstack-keycloak", name);
        }
        const names = Object.fromEntries(env().map((e) => [e.name, e.value]));
        assert.deepEqual([names.KC_BOOTSTRAP_ADMIN_USERNAME, names.KC_BOOTSTRAP_ADMIN_CLIENT_ID], ["pacstack-admin", "pacstack-realm-sync"]);
        for (const e of env()) assert.ok(!/PASSWORD|SECRET/.test(e.name) || e.value === undefined, e.name);
    });

    it("probe the management port, run restricted with a read-only root, and keep the chart's own extras off", () => {
        for (const [key, path] of [["startupProbe", "started"], ["livenessProbe", "live"], ["readinessProbe", "ready"]]) {
            assert.deepEqual(templated(key).httpGet, { path: `/auth/health/${path}`, port: "http-internal" }, key);
        }
        const v = values();
        assert.equal(v.securityContext.readOnlyRootFilesystem, true);
        assert.equal(v.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(v.securityContext.capabilities, { drop: ["ALL"] });
        assert.equal(v.podSecurityContext.runAsNonRoot, true);
        assert.equal(v.podSecurityContext.seccompProfile.type, "RuntimeDefault");
        assert.deepEqual(v.serviceAccount, { create: true, automountServiceAccountToken: false, allowReadPods: false });
        const mounts = (templated("extraVolumeMounts") as any[]).map((m) => m.mountPath).sort();
        assert.deepEqual(mounts, ["/etc/pacstack/database-ca", "/opt/keycloak/data", "/opt/keycloak/lib/quarkus", "/tmp"]);
        // The build step alone writes to the image's files; its container is discarded before Keycloak starts.
        const [build] = templated("extraInitContainers");
        assert.equal(build.securityContext.readOnlyRootFilesystem, false);
        assert.equal(build.securityContext.runAsNonRoot, true);
        assert.deepEqual([v.networkPolicy.enabled, v.ingress.enabled, v.dbchecker.enabled, v.test.enabled], [false, false, false, false]);
    });

    it("cluster several replicas through the database (JDBC_PING), spread them and keep one up during drains", () => {
        assert.equal(values().replicas, 2);
        assert.deepEqual(values().cache, { stack: "default" });
        assert.deepEqual(values().podDisruptionBudget, { maxUnavailable: 1 });
        assert.deepEqual(renderKeycloakValues({ ...input, replicas: 1 }).podDisruptionBudget, {});
        const affinity = templated("affinity");
        assert.deepEqual(affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels, keycloakPodLabels("pacstack-keycloak"));
    });

    it("escape Helm template markers in the strings the chart templates", () => {
        const hostile = renderKeycloakValues({ ...input, publicUrl: "https://pacs.example.org/auth{{ .Release.Name }}" }) as Record<string, string>;
        assert.ok(!hostile.extraEnv.includes("{{ .Release"), hostile.extraEnv);
        // What Helm's tpl gives back for the escape is the literal text.
        const afterTpl = hostile.extraEnv.replace(/\{\{ "\{\{" \}\}/g, "{{");
        const hostname = (templated("extraEnv", { extraEnv: afterTpl }) as Env[]).find((e) => e.name === "KC_HOSTNAME");
        assert.equal(hostname?.value, "https://pacs.example.org/auth{{ .Release.Name }}");
    });
});

describe("keycloak: the two Jobs", () => {
    const base = { namespace: "pacstack", instance: "pacstack-keycloak", image: "docker.io/bitnamilegacy/postgresql:17.6.0-debian-12-r4", resources };

    it("the database Job runs psql as the superuser from its Secret, verifying the server, and reads the new password from a file", () => {
        const doc = renderDatabaseJob({
            ...base,
            name: "pacstack-keycloak-database",
            serviceAccount: "pacstack-keycloak-database",
            host: "pacstack-postgresql.pacstack.svc.cluster.local",
            port: 5432,
            superuserSecret: { name: "pacstack-postgresql-credentials", key: "postgres-password" },
            caSecret: "pacstack-database-tls",
            keycloakSecret: { name: "pacstack-keycloak", key: SECRET_KEYS.databasePassword },
            scriptsConfigMap: "pacstack-keycloak-database-setup",
            database: "keycloak",
            user: "keycloak",
        }) as any;
        const pod = doc.spec.template.spec;
        const container = pod.containers[0];
        const byName = Object.fromEntries(container.env.map((e: Env) => [e.name, e]));
        assert.equal(byName.PGPASSWORD, undefined, "no password in the environment");
        assert.equal(byName.PGPASSWORD_FILE.value, "/etc/pacstack/superuser/password");
        assert.deepEqual(pod.volumes.find((v: any) => v.name === "superuser").secret, { secretName: "pacstack-postgresql-credentials", items: [{ key: "postgres-password", path: "password" }] });
        assert.equal(byName.PGSSLMODE.value, "verify-full");
        assert.equal(byName.KEYCLOAK_DB_PASSWORD_FILE.value, "/etc/pacstack/secret/password");
        assert.equal(doc.spec.template.metadata.labels["app.kubernetes.io/name"], DATABASE_JOB_APP);
        assert.equal(pod.serviceAccountName, "pacstack-keycloak-database");
        assert.equal(pod.automountServiceAccountToken, false);
        assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        assert.equal(pod.securityContext.runAsNonRoot, true);
    });

    it("the sync Job carries the checksum of what it applies, and reads its secrets from files", () => {
        const doc = renderSyncJob({
            ...base,
            image: "docker.io/library/node:24.21.0-alpine",
            name: "pacstack-keycloak-realm-sync-0123456789",
            serviceAccount: "pacstack-keycloak-realm-sync",
            keycloakUrl: "http://pacstack-keycloak-http.pacstack.svc.cluster.local:8080/auth",
            configMap: "pacstack-keycloak-realm",
            syncClientId: "pacstack-realm-sync",
            keycloakSecret: { name: "pacstack-keycloak", clientSecretKey: SECRET_KEYS.syncClientSecret },
            clientSecretsSecret: "pacstack-keycloak-clients",
            checksum: "0123456789abcdef",
        }) as any;
        assert.equal(doc.spec.template.metadata.annotations["pacstack.io/realm-checksum"], "0123456789abcdef");
        assert.equal(doc.spec.template.metadata.labels["app.kubernetes.io/name"], SYNC_JOB_APP);
        const container = doc.spec.template.spec.containers[0];
        assert.deepEqual(container.command, ["node", "/etc/pacstack/scripts/sync.mjs"]);
        for (const e of container.env as Env[]) assert.ok(!/SECRET|PASSWORD/.test(e.name) || e.name.endsWith("_FILE"), e.name);
        const sources = doc.spec.template.spec.volumes.find((v: any) => v.name === "secret").projected.sources;
        assert.deepEqual(sources.map((s: any) => s.secret.name), ["pacstack-keycloak", "pacstack-keycloak-clients"]);
    });
});

describe("keycloak: what it publishes", () => {
    const pods = { namespace: "pacstack", podLabels: keycloakPodLabels("pacstack-keycloak") };
    const published = keycloakPublication({
        service: "pacstack-keycloak-http",
        pods,
        databaseJob: { namespace: "pacstack", podLabels: { "app.kubernetes.io/name": DATABASE_JOB_APP } },
        syncJob: { namespace: "pacstack", podLabels: { "app.kubernetes.io/name": SYNC_JOB_APP } },
        database: { namespace: "pacstack", podLabels: { "app.kubernetes.io/name": "postgresql" }, port: 5432 },
    });

    it("one public route at /auth that keeps the Authorization header (Keycloak authenticates every request)", () => {
        assert.deepEqual(
            published.routes.map((r) => [r.name, r.path, r.protection, r.forwardCredentials, r.backend.port]),
            [["keycloak", "/auth", "public", true, 8080]],
        );
    });

    it("flows: Keycloak and the database Job to PostgreSQL, the sync Job to Keycloak, Keycloak pods to each other (JGroups)", () => {
        const flows = Object.fromEntries(published.flows.map((f) => [f.name, [f.from.podLabels["app.kubernetes.io/name"], f.to.podLabels["app.kubernetes.io/name"], f.ports.map((p) => p.port)]]));
        assert.deepEqual(flows, {
            "keycloak-to-postgresql": ["keycloak", "postgresql", [5432]],
            "keycloak-database-job-to-postgresql": [DATABASE_JOB_APP, "postgresql", [5432]],
            "keycloak-realm-sync-to-keycloak": [SYNC_JOB_APP, "keycloak", [8080]],
            "keycloak-cluster": ["keycloak", "keycloak", [7800, 57800]],
        });
        assert.deepEqual(published.metrics.map((m) => [m.backend.port, m.path]), [[9000, "/auth/metrics"]]);
    });
});
