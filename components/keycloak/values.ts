import { ContainerResources } from "../config/platform";
import { ImageRef } from "../config/image";

/** codecentric's keycloakx chart: it runs the official Keycloak image and leaves its options to the values. */
export const KEYCLOAK_CHART = "keycloakx";
export const KEYCLOAK_CHART_REPO = "https://codecentric.github.io/helm-charts";
/** The public path Keycloak is served under (its `http-relative-path`, the same behind Traefik). */
export const KEYCLOAK_PATH = "/auth";
export const KEYCLOAK_HTTP_PORT = 8080;
/** Keycloak's management interface: health and metrics, never published at the edge. */
export const KEYCLOAK_MANAGEMENT_PORT = 9000;
/** The chart's Service port: the container's own, so the edge's NetworkPolicy names the port the pods see. */
export const KEYCLOAK_SERVICE_PORT = KEYCLOAK_HTTP_PORT;
/** Infinispan's cluster transport between Keycloak pods (JGroups TCP) and its failure detection (FD_SOCK2, +50000). */
export const JGROUPS_PORTS = [7800, 57800] as const;
/** The user the official image runs as (uid 1000, files owned by group 0). */
export const KEYCLOAK_UID = 1000;

/**
 * Build options fixed into the optimized server (`kc.sh build`): the same for the pod's build step and the tests'
 * cached build (tests/tools/keycloak.sh).
 */
export const KEYCLOAK_BUILD_OPTIONS = ["--db=postgres", "--health-enabled=true", "--metrics-enabled=true", `--http-relative-path=${KEYCLOAK_PATH}`];

/** Keys of the Keycloak Secret: the generated values only (names are plain values). */
export const SECRET_KEYS = {
    adminPassword: "admin-password",
    syncClientSecret: "sync-client-secret",
    databasePassword: "database-password",
} as const;

export interface KeycloakValuesInput {
    /** Release name and fullnameOverride: Services `<fullname>-http` and `<fullname>-headless`. */
    fullname: string;
    image: ImageRef;
    replicas: number;
    /** Public base URL including the path, e.g. `https://pacs.example.org/auth` (Keycloak's `hostname`). */
    publicUrl: string;
    database: { host: string; port: number; name: string; username: string };
    /** The bootstrap administrator's user name and the bootstrap admin client's id (master realm). */
    adminUsername: string;
    syncClientId: string;
    /** Secret with SECRET_KEYS (their password and secret, the database password). */
    secretName: string;
    /** Secret whose `ca.crt` is the CA the database certificate chains to. */
    databaseCaSecret: string;
    resources: ContainerResources;
}

const RESTRICTED_CONTAINER = {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    privileged: false,
    runAsNonRoot: true,
    runAsUser: KEYCLOAK_UID,
    runAsGroup: KEYCLOAK_UID,
    seccompProfile: { type: "RuntimeDefault" },
};

const secretEnv = (name: string, secret: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: secret, key } } });

/** `{{` escaped: the chart's string-valued keys are Helm templates, and nothing pacstack writes is templated. */
const escape = (text: string) => text.replace(/\{\{/g, '{{ "{{" }}');
/**
 * A list for a chart key the chart appends to a block sequence of its own (env, volumes, ...): block entries, each
 * a JSON (= YAML flow) mapping on its own line, so the chart's indentation keeps them in its list.
 */
const templateList = (items: unknown[]) => items.map((item) => `- ${escape(JSON.stringify(item))}`).join("\n");
/** A mapping for a chart key whose template is the whole value (affinity, probes). */
const templateObject = (value: unknown) => escape(JSON.stringify(value));

/** Where the database CA and the built server live inside the pod. */
const PATHS = { databaseCa: "/etc/pacstack/database-ca", built: "/opt/keycloak/lib/quarkus", data: "/opt/keycloak/data", tmp: "/tmp" };

/**
 * Values for the keycloakx chart (7.1.x; keys checked against its values.yaml). An init container runs
 * `kc.sh build` with KEYCLOAK_BUILD_OPTIONS (writable root, discarded afterwards) and copies the built server
 * into an emptyDir; Keycloak itself then starts `--optimized` with a read-only root filesystem.
 */
export function renderKeycloakValues(input: KeycloakValuesInput): Record<string, unknown> {
    const jdbcUrl = `jdbc:postgresql://${input.database.host}:${input.database.port}/${input.database.name}?sslmode=verify-full&sslrootcert=${PATHS.databaseCa}/ca.crt`;
    const buildInit = {
        name: "build",
        image: `${input.image.registry}/${input.image.repository}${input.image.tag.startsWith("sha256:") ? "@" : ":"}${input.image.tag}`,
        command: ["/bin/bash", "-ec", `/opt/keycloak/bin/kc.sh build ${KEYCLOAK_BUILD_OPTIONS.join(" ")} && cp -a /opt/keycloak/lib/quarkus/. /built/`],
        securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: false },
        resources: input.resources,
        volumeMounts: [{ name: "built", mountPath: "/built" }],
    };
    const env = [
        { name: "KC_HOSTNAME", value: input.publicUrl },
        // The in-cluster clients (oauth2-proxy, the sync job) reach Keycloak by its Service name, not the public host.
        { name: "KC_HOSTNAME_BACKCHANNEL_DYNAMIC", value: "true" },
        { name: "KC_DB_URL", value: jdbcUrl },
        { name: "KC_BOOTSTRAP_ADMIN_USERNAME", value: input.adminUsername },
        secretEnv("KC_BOOTSTRAP_ADMIN_PASSWORD", input.secretName, SECRET_KEYS.adminPassword),
        { name: "KC_BOOTSTRAP_ADMIN_CLIENT_ID", value: input.syncClientId },
        secretEnv("KC_BOOTSTRAP_ADMIN_CLIENT_SECRET", input.secretName, SECRET_KEYS.syncClientSecret),
        { name: "KC_LOG_CONSOLE_OUTPUT", value: "json" },
        // The JVM sizes its heap from the container's memory limit.
        { name: "JAVA_OPTS_KC_HEAP", value: "-XX:MaxRAMPercentage=70 -XX:InitialRAMPercentage=50" },
    ];
    const volumes = [
        { name: "built", emptyDir: {} },
        { name: "data", emptyDir: {} },
        { name: "tmp", emptyDir: {} },
        { name: "database-ca", secret: { secretName: input.databaseCaSecret, items: [{ key: "ca.crt", path: "ca.crt" }] } },
    ];
    const mounts = [
        { name: "built", mountPath: PATHS.built, readOnly: true },
        { name: "data", mountPath: PATHS.data },
        { name: "tmp", mountPath: PATHS.tmp },
        { name: "database-ca", mountPath: PATHS.databaseCa, readOnly: true },
    ];
    return {
        fullnameOverride: input.fullname,
        nameOverride: "keycloak",
        replicas: input.replicas,
        image: { repository: `${input.image.registry}/${input.image.repository}`, ...(input.image.tag.startsWith("sha256:") ? { digest: input.image.tag } : { tag: input.image.tag }) },
        command: ["/opt/keycloak/bin/kc.sh"],
        args: ["start", "--optimized"],
        http: { relativePath: KEYCLOAK_PATH, internalPort: "http-internal", internalScheme: "HTTP" },
        health: { enabled: true },
        metrics: { enabled: true },
        // Traefik terminates TLS and sets X-Forwarded-*; only Traefik reaches the pods (NetworkPolicy).
        proxy: { enabled: true, mode: "xforwarded", http: { enabled: true } },
        // Infinispan's distributed caches, members found through the database (JDBC_PING): no Kubernetes API access.
        cache: { stack: "default" },
        database: { vendor: "postgres", username: input.database.username, existingSecret: input.secretName, existingSecretKey: SECRET_KEYS.databasePassword },
        extraEnv: templateList(env),
        extraInitContainers: templateList([buildInit]),
        extraVolumes: templateList(volumes),
        extraVolumeMounts: templateList(mounts),
        serviceAccount: { create: true, automountServiceAccountToken: false, allowReadPods: false },
        rbac: { create: false },
        enableServiceLinks: false,
        podSecurityContext: { runAsNonRoot: true, runAsUser: KEYCLOAK_UID, runAsGroup: KEYCLOAK_UID, fsGroup: KEYCLOAK_UID, seccompProfile: { type: "RuntimeDefault" } },
        securityContext: { ...RESTRICTED_CONTAINER, readOnlyRootFilesystem: true },
        resources: input.resources,
        // Several replicas: on different nodes when the cluster has them, never all down at once by a drain.
        affinity: templateObject({
            podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                    { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: keycloakPodLabels(input.fullname) } } },
                ],
            },
        }),
        podDisruptionBudget: input.replicas > 1 ? { maxUnavailable: 1 } : {},
        // Startup includes the build step's result and the database schema on first start: up to 10 minutes.
        startupProbe: templateObject({ httpGet: { path: `${KEYCLOAK_PATH}/health/started`, port: "http-internal" }, periodSeconds: 10, failureThreshold: 60, timeoutSeconds: 5 }),
        livenessProbe: templateObject({ httpGet: { path: `${KEYCLOAK_PATH}/health/live`, port: "http-internal" }, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 }),
        readinessProbe: templateObject({ httpGet: { path: `${KEYCLOAK_PATH}/health/ready`, port: "http-internal" }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 }),
        service: { type: "ClusterIP", httpPort: KEYCLOAK_SERVICE_PORT, httpsPort: 0 },
        // pacstack renders Keycloak's NetworkPolicies from what it publishes; the chart's own would allow more.
        networkPolicy: { enabled: false },
        ingress: { enabled: false },
        dbchecker: { enabled: false },
        test: { enabled: false },
    };
}

/** Labels of the Keycloak pods, as the chart sets them (nameOverride "keycloak", instance = release name). */
export function keycloakPodLabels(fullname: string): Record<string, string> {
    return { "app.kubernetes.io/name": "keycloak", "app.kubernetes.io/instance": fullname };
}
