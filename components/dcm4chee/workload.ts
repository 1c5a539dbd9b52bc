import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { CERTIFICATES_CHECKSUM_ANNOTATION, appLabels, selectorLabels } from "../kube/metadata";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kube/security";
import { EnvVar } from "./env";
import { CLAIM_DIRS, DATABASE, DCM4CHEE_APP, MOUNTS, PORTS, SCRIPT_FILES, UIDS } from "./paths";
import { keystoreCommand, ldapReadyCommand } from "./scripts";
import { ServicePort, renderClusterIpService } from "../kube/service";

type Part = keyof typeof DCM4CHEE_APP;

export interface Dcm4cheeWorkloadInput {
    /** StatefulSet, Service and ServiceAccount name. */
    name: string;
    namespace: string;
    image: string;
    resources: ContainerResources;
    env: EnvVar[];
    /** ConfigMap with the scripts; its content is hashed into the pod template. */
    scriptsConfigMap: string;
    scriptsChecksum: string;
    /** Checksum of the mounted TLS Secrets' certificates (Certificates.checksumOf): a renewal rolls the pod. @default none */
    certificatesChecksum?: string;
    /** Secret holding the generated passwords. */
    credentialsSecret: string;
    storage: { size: string; storageClass?: pulumi.Input<string> };
}

const SECRET_MODE = 0o440;

function volumeDirsInit(part: Part, input: Dcm4cheeWorkloadInput) {
    const dirs = Object.keys(CLAIM_DIRS[part]).map((d) => `${MOUNTS.volume}/${d}`);
    return {
        // Sub-directories owned by the workload's uid (fsGroup makes the claim's root writable), so the main
        // container mounts them with subPath and never sees lost+found; PostgreSQL wants its directory private.
        command: ["/bin/sh", "-c", `mkdir -p ${dirs.join(" ")} && chmod 0700 ${dirs.join(" ")}`],
        image: input.image,
        imagePullPolicy: "IfNotPresent",
        name: "volume-dirs",
        resources: input.resources,
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: [
            { mountPath: MOUNTS.volume, name: "data" },
            { mountPath: MOUNTS.tmp, name: "tmp" },
        ],
    };
}

function claimMounts(part: Part) {
    return Object.entries(CLAIM_DIRS[part]).map(([subPath, mountPath]) => ({ mountPath, name: "data", subPath }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- pod fragments are plain Kubernetes JSON
type Json = any;

function statefulSet(part: Part, input: Dcm4cheeWorkloadInput, pod: { initContainers: Json[]; container: { name: string } & Record<string, Json>; volumes: Json[] }) {
    const app = DCM4CHEE_APP[part];
    const labels = appLabels(app, input.name);
    const selector = selectorLabels(app, input.name);
    return {
        apiVersion: "apps/v1" as const,
        kind: "StatefulSet" as const,
        metadata: { labels, name: input.name, namespace: input.namespace },
        spec: {
            // One pod: dcm4chee's three services are single instances in this deployment.
            replicas: 1,
            // The claims (images, database, configuration) outlive `pulumi destroy` and scale-downs.
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            podManagementPolicy: "OrderedReady",
            selector: { matchLabels: selector },
            serviceName: input.name,
            template: {
                metadata: {
                    annotations: {
                        "pacstack.io/config-checksum": input.scriptsChecksum,
                        ...(input.certificatesChecksum ? { [CERTIFICATES_CHECKSUM_ANNOTATION]: input.certificatesChecksum } : {}),
                    },
                    labels,
                },
                spec: {
                    automountServiceAccountToken: false,
                    containers: [
                        {
                            image: input.image,
                            imagePullPolicy: "IfNotPresent",
                            resources: input.resources,
                            securityContext: restrictedContainerSecurityContext(),
                            env: input.env,
                            ...pod.container,
                        },
                    ],
                    enableServiceLinks: false,
                    initContainers: [volumeDirsInit(part, input), ...pod.initContainers],
                    securityContext: restrictedPodSecurityContext(UIDS[part]),
                    serviceAccountName: input.name,
                    terminationGracePeriodSeconds: 60,
                    volumes: [{ emptyDir: { sizeLimit: "1Gi" }, name: "tmp" }, ...pod.volumes],
                },
            },
            updateStrategy: { type: "RollingUpdate" },
            volumeClaimTemplates: [
                {
                    apiVersion: "v1" as const,
                    kind: "PersistentVolumeClaim" as const,
                    metadata: { labels, name: "data" },
                    spec: {
                        accessModes: ["ReadWriteOnce"],
                        resources: { requests: { storage: input.storage.size } },
                        ...(input.storage.storageClass ? { storageClassName: input.storage.storageClass } : {}),
                    },
                },
            ],
        },
    };
}

const scriptsVolume = (input: Dcm4cheeWorkloadInput) => ({ configMap: { defaultMode: 0o555, name: input.scriptsConfigMap }, name: "scripts" });
const secretsVolume = (input: Dcm4cheeWorkloadInput, keys: string[]) => ({
    name: "secrets",
    secret: { defaultMode: SECRET_MODE, items: keys.map((key) => ({ key, path: key })), secretName: input.credentialsSecret },
});
const tmpMount = { mountPath: MOUNTS.tmp, name: "tmp" };
/** The server certificate (kubernetes.io/tls Secret) LDAP or the database presents. */
const serverTlsVolume = (secretName: string) => ({ name: "server-tls", secret: { defaultMode: SECRET_MODE, secretName } });
const serverTlsMount = { mountPath: MOUNTS.serverTls, name: "server-tls", readOnly: true };

/** OpenLDAP with the archive's configuration, started by start-ldap.sh as uid 1021. */
export function renderLdapStatefulSet(input: Dcm4cheeWorkloadInput & { baseDn: string; deviceName: string; secretKeys: string[]; tlsSecret: string }) {
    return statefulSet("ldap", input, {
        initContainers: [
            {
                // configure.sh writes vendor-data.zip next to the LDIF files: give it a writable copy of them.
                command: ["/bin/sh", "-c", `cp -a ${MOUNTS.ldapImportData}/. ${MOUNTS.volume}/`],
                image: input.image,
                imagePullPolicy: "IfNotPresent",
                name: "import-data",
                resources: input.resources,
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [{ mountPath: MOUNTS.volume, name: "import-data" }, tmpMount],
            },
        ],
        container: {
            command: ["/bin/sh", `${MOUNTS.scripts}/${SCRIPT_FILES.ldap}`],
            livenessProbe: { periodSeconds: 20, tcpSocket: { port: "ldaps" }, timeoutSeconds: 3 },
            name: "slapd",
            // Plain LDAP listens on the pod's loopback only; the pod network gets LDAPS.
            ports: [{ containerPort: PORTS.ldapsContainer, name: "ldaps", protocol: "TCP" }],
            // Ready once the first-start import has created the archive device (the archive waits for that).
            readinessProbe: { exec: { command: ldapReadyCommand(input.baseDn, input.deviceName) }, periodSeconds: 10, timeoutSeconds: 5 },
            startupProbe: { failureThreshold: 60, periodSeconds: 5, tcpSocket: { port: "ldaps" } },
            volumeMounts: [
                ...claimMounts("ldap"),
                { mountPath: MOUNTS.ldapImportData, name: "import-data" },
                { mountPath: MOUNTS.ldapRun, name: "run" },
                { mountPath: MOUNTS.scripts, name: "scripts", readOnly: true },
                { mountPath: MOUNTS.secrets, name: "secrets", readOnly: true },
                serverTlsMount,
                tmpMount,
            ],
        },
        volumes: [
            { emptyDir: { sizeLimit: "256Mi" }, name: "import-data" },
            { emptyDir: { sizeLimit: "1Mi" }, name: "run" },
            scriptsVolume(input),
            secretsVolume(input, input.secretKeys),
            serverTlsVolume(input.tlsSecret),
        ],
    });
}

/** PostgreSQL with the archive's schema, the official entrypoint as uid 999. */
export function renderDatabaseStatefulSet(input: Dcm4cheeWorkloadInput & { secretKeys: string[]; tlsSecret: string; args: string[] }) {
    const ready = { command: ["pg_isready", "-q", "-h", "127.0.0.1", "-p", String(PORTS.postgres), "-U", DATABASE.user, "-d", DATABASE.name] };
    return statefulSet("database", input, {
        initContainers: [],
        container: {
            // The image's entrypoint, with TLS and pacstack's pg_hba.conf (renderDatabaseArgs).
            args: input.args,
            livenessProbe: { exec: ready, failureThreshold: 6, periodSeconds: 20, timeoutSeconds: 5 },
            name: "postgres",
            ports: [{ containerPort: PORTS.postgres, name: "postgres", protocol: "TCP" }],
            readinessProbe: { exec: ready, periodSeconds: 10, timeoutSeconds: 5 },
            // The first start runs initdb and creates the archive's schema before listening on TCP.
            startupProbe: { exec: ready, failureThreshold: 120, periodSeconds: 5, timeoutSeconds: 5 },
            volumeMounts: [
                ...claimMounts("database"),
                { mountPath: MOUNTS.pgRun, name: "run" },
                { mountPath: MOUNTS.scripts, name: "scripts", readOnly: true },
                { mountPath: MOUNTS.secrets, name: "secrets", readOnly: true },
                serverTlsMount,
                tmpMount,
            ],
        },
        volumes: [{ emptyDir: { sizeLimit: "1Mi" }, name: "run" }, scriptsVolume(input), secretsVolume(input, input.secretKeys), serverTlsVolume(input.tlsSecret)],
    });
}

/** The archive (Wildfly), started by start-archive.sh as uid 1023, with PKCS12 stores made from pacstack's CA. */
export function renderArchiveStatefulSet(input: Dcm4cheeWorkloadInput & { aeTitle: string; dicomTlsSecret: string; secretKeys: string[] }) {
    const secrets = { mountPath: MOUNTS.secrets, name: "secrets", readOnly: true };
    const keystores = { mountPath: MOUNTS.keystores, name: "keystores" };
    const scripts = { mountPath: MOUNTS.scripts, name: "scripts", readOnly: true };
    return statefulSet("archive", input, {
        initContainers: [
            {
                command: keystoreCommand(),
                image: input.image,
                imagePullPolicy: "IfNotPresent",
                name: "keystores",
                resources: input.resources,
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [{ mountPath: MOUNTS.dicomTls, name: "dicom-tls", readOnly: true }, keystores, scripts, secrets, tmpMount],
            },
        ],
        container: {
            command: ["/bin/bash", `${MOUNTS.scripts}/${SCRIPT_FILES.archive}`],
            // Wildfly opens its HTTP port before the archive is deployed: liveness asks the port only, so a slow
            // dependency never restarts the archive; readiness runs a QIDO-RS query (configuration + database).
            livenessProbe: { failureThreshold: 6, periodSeconds: 20, tcpSocket: { port: "http" }, timeoutSeconds: 5 },
            name: "archive",
            ports: [
                { containerPort: PORTS.http, name: "http", protocol: "TCP" },
                { containerPort: PORTS.https, name: "https", protocol: "TCP" },
                { containerPort: PORTS.dicom, name: "dicom", protocol: "TCP" },
                { containerPort: PORTS.dicomTls, name: "dicom-tls", protocol: "TCP" },
                { containerPort: PORTS.hl7Tls, name: "hl7-tls", protocol: "TCP" },
            ],
            readinessProbe: {
                httpGet: { path: `/dcm4chee-arc/aets/${input.aeTitle}/rs/studies?limit=1`, port: "http" },
                periodSeconds: 10,
                timeoutSeconds: 5,
            },
            // First start: waits for LDAP and PostgreSQL, then deploys the archive (minutes on small nodes).
            startupProbe: { failureThreshold: 90, httpGet: { path: "/dcm4chee-arc/aets", port: "http" }, periodSeconds: 10, timeoutSeconds: 5 },
            // The DICOM TLS Secret's ca.crt is also the CA the JDBC driver checks the database's certificate against.
            volumeMounts: [...claimMounts("archive"), { mountPath: MOUNTS.dicomTls, name: "dicom-tls", readOnly: true }, keystores, scripts, secrets, tmpMount],
        },
        volumes: [
            { name: "dicom-tls", secret: { defaultMode: SECRET_MODE, secretName: input.dicomTlsSecret } },
            { emptyDir: { medium: "Memory", sizeLimit: "1Mi" }, name: "keystores" },
            scriptsVolume(input),
            secretsVolume(input, input.secretKeys),
        ],
    });
}

export function renderDcm4cheeService(part: Part, input: Pick<Dcm4cheeWorkloadInput, "name" | "namespace">, ports: ServicePort[]) {
    return renderClusterIpService(DCM4CHEE_APP[part], input, ports);
}
