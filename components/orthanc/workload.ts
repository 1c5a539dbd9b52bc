import * as pulumi from "@pulumi/pulumi";
import { ContainerResources } from "../config/platform";
import { CERTIFICATES_CHECKSUM_ANNOTATION, appLabels, contentChecksum, selectorLabels } from "../kube/metadata";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../kube/security";
import { DB_PASSWORD_ENV, ORTHANC_DICOM_PORT, ORTHANC_HTTP_PORT, POD_NAME_ENV } from "./config";
import { CONFIG_FILE, CREDENTIALS_FILE, ORTHANC_MOUNTS, ORTHANC_UID } from "./paths";
import { renderOrthancCommand } from "./command";
import { peerPasswordEnv } from "./peers";
import { LIVENESS_PATH, READINESS_PATH, renderProbeScript } from "./probe";
import { renderClusterIpService } from "../kube/service";

export const ORTHANC_APP = "orthanc";

/**
 * Every change (image, configuration, certificates) stops all old pods before a new one starts. One writer on a
 * ReadWriteOnce volume and the PostgreSQL lock need it with one replica; with shared replicas a new Orthanc or
 * PostgreSQL plugin version may upgrade the database schema at start, and old pods must not run against the new
 * schema (the Orthanc Book: no rolling update across a database upgrade). Kubernetes cannot choose the strategy
 * by what changed, so a configuration change costs the same short outage (README: Upgrades).
 */
export const ORTHANC_UPDATE_STRATEGY = { type: "Recreate" } as const;

/** Everything the Orthanc workload documents depend on, as plain values. */
export interface OrthancWorkloadInput {
    name: string;
    namespace: string;
    image: string;
    replicas: number;
    resources: ContainerResources;
    /** The rendered orthanc.json, hashed into the pod template so a change rolls the pods. */
    configJson: string;
    /** Checksum of the mounted TLS Secrets' certificates, so that a renewal rolls the pods. @default none */
    certificatesChecksum?: string;
    /** Further files of the configuration ConfigMap (forwarding script, peers' CAs), projected and hashed too. @default none */
    extraConfigFiles?: Record<string, string>;
    /** The Secret holding one password per peer (key = peer name), passed as ORTHANC_PEER_<NAME>_PASSWORD. @default no peers */
    peerPasswords?: { secretName: string; peers: string[] };
    configMapName: string;
    credentialsSecretName: string;
    dicomTlsSecretName: string;
    /** kubernetes.io/tls Secret of Orthanc's HTTPS (Certificates.serviceTlsSecretNames), with ca.crt and the bundle. */
    httpsTlsSecretName: string;
    databasePasswordSecret: { name: string; key: string };
    storage: { claimName: string; size: string; storageClass?: pulumi.Input<string>; accessMode: "ReadWriteOnce" | "ReadWriteMany" };
    /** Size limit of the temporary volume (uploads being parsed, archives being written). @default "4Gi" */
    temporarySize?: string;
}

/** A container environment variable: a plain value or a reference. */
export interface EnvVar {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { key: string; name: string }; fieldRef?: { fieldPath: string } };
}

/**
 * Plain (non-secret) environment of the Orthanc container. libpq verifies the database server's certificate
 * chain against the pacstack CA when PGSSLROOTCERT names an existing file (sslmode=require becomes verify-ca).
 */
export const ORTHANC_PLAIN_ENV: Record<string, string> = { PGSSLROOTCERT: `${ORTHANC_MOUNTS.dicomTls}/ca.crt` };

/** Checksum of the configuration folder's ConfigMap files (orthanc.json alone: the checksum of its text). */
export function configChecksum(configJson: string, extraFiles: Record<string, string> = {}): string {
    return contentChecksum([configJson, ...Object.keys(extraFiles).sort().flatMap((file) => [file, extraFiles[file]])].join("\n"));
}

function execProbe(path: string, periodSeconds: number, failureThreshold: number) {
    const script = renderProbeScript(`${ORTHANC_MOUNTS.config}/${CREDENTIALS_FILE}`, ORTHANC_HTTP_PORT, `${ORTHANC_MOUNTS.httpsTls}/ca.crt`);
    return { exec: { command: ["python3", "-c", script, path] }, failureThreshold, periodSeconds, timeoutSeconds: 5 };
}

export function renderOrthancDeployment(input: OrthancWorkloadInput) {
    const labels = appLabels(ORTHANC_APP, input.name);
    const selector = selectorLabels(ORTHANC_APP, input.name);
    const strategy = ORTHANC_UPDATE_STRATEGY;
    return {
        apiVersion: "apps/v1" as const,
        kind: "Deployment" as const,
        metadata: { labels, name: input.name, namespace: input.namespace },
        spec: {
            replicas: input.replicas,
            selector: { matchLabels: selector },
            strategy,
            template: {
                metadata: {
                    annotations: {
                        "pacstack.io/config-checksum": configChecksum(input.configJson, input.extraConfigFiles),
                        ...(input.certificatesChecksum ? { [CERTIFICATES_CHECKSUM_ANNOTATION]: input.certificatesChecksum } : {}),
                    },
                    labels,
                },
                spec: {
                    automountServiceAccountToken: false,
                    containers: [
                        {
                            command: renderOrthancCommand(input.resources.limits.memory),
                            env: <EnvVar[]>[
                                {
                                    name: DB_PASSWORD_ENV,
                                    valueFrom: { secretKeyRef: { key: input.databasePasswordSecret.key, name: input.databasePasswordSecret.name } },
                                },
                                { name: POD_NAME_ENV, valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
                                ...(input.peerPasswords?.peers ?? []).map((peer) => ({
                                    name: peerPasswordEnv(peer),
                                    valueFrom: { secretKeyRef: { key: peer, name: input.peerPasswords!.secretName } },
                                })),
                                ...Object.entries(ORTHANC_PLAIN_ENV).map(([name, value]) => ({ name, value })),
                            ],
                            image: input.image,
                            imagePullPolicy: "IfNotPresent",
                            livenessProbe: execProbe(LIVENESS_PATH, 20, 3),
                            name: "orthanc",
                            ports: [
                                { containerPort: ORTHANC_HTTP_PORT, name: "https", protocol: "TCP" },
                                { containerPort: ORTHANC_DICOM_PORT, name: "dicom", protocol: "TCP" },
                            ],
                            readinessProbe: execProbe(READINESS_PATH, 10, 3),
                            resources: input.resources,
                            securityContext: restrictedContainerSecurityContext(),
                            // A PostgreSQL schema upgrade on start can take minutes on a large archive.
                            startupProbe: execProbe(LIVENESS_PATH, 5, 120),
                            volumeMounts: [
                                { mountPath: ORTHANC_MOUNTS.config, name: "config", readOnly: true },
                                { mountPath: ORTHANC_MOUNTS.dicomTls, name: "dicom-tls", readOnly: true },
                                { mountPath: ORTHANC_MOUNTS.httpsTls, name: "https-tls", readOnly: true },
                                { mountPath: ORTHANC_MOUNTS.storage, name: "storage" },
                                { mountPath: ORTHANC_MOUNTS.tmp, name: "tmp" },
                            ],
                        },
                    ],
                    enableServiceLinks: false,
                    securityContext: restrictedPodSecurityContext(ORTHANC_UID),
                    serviceAccountName: input.name,
                    terminationGracePeriodSeconds: 60,
                    topologySpreadConstraints: [
                        {
                            labelSelector: { matchLabels: selector },
                            maxSkew: 1,
                            topologyKey: "kubernetes.io/hostname",
                            whenUnsatisfiable: "ScheduleAnyway",
                        },
                    ],
                    volumes: [
                        {
                            name: "config",
                            projected: {
                                defaultMode: 0o440,
                                sources: [
                                {
                                    configMap: {
                                        items: [CONFIG_FILE, ...Object.keys(input.extraConfigFiles ?? {}).sort()].map((file) => ({ key: file, path: file })),
                                        name: input.configMapName,
                                    },
                                },
                                    { secret: { items: [{ key: CREDENTIALS_FILE, path: CREDENTIALS_FILE }], name: input.credentialsSecretName } },
                                ],
                            },
                        },
                        { name: "dicom-tls", secret: { defaultMode: 0o440, secretName: input.dicomTlsSecretName } },
                        { name: "https-tls", secret: { defaultMode: 0o440, secretName: input.httpsTlsSecretName } },
                        { name: "storage", persistentVolumeClaim: { claimName: input.storage.claimName } },
                        // Orthanc writes archives and uploads being parsed here.
                        { emptyDir: { sizeLimit: input.temporarySize ?? "4Gi" }, name: "tmp" },
                    ],
                },
            },
        },
    };
}

export function renderOrthancService(input: Pick<OrthancWorkloadInput, "name" | "namespace">) {
    return renderClusterIpService(ORTHANC_APP, input, [
        { name: "https", port: ORTHANC_HTTP_PORT },
        { name: "dicom", port: ORTHANC_DICOM_PORT },
    ]);
}

export function renderOrthancStorageClaim(input: Pick<OrthancWorkloadInput, "name" | "namespace" | "storage">) {
    return {
        apiVersion: "v1" as const,
        kind: "PersistentVolumeClaim" as const,
        metadata: { labels: appLabels(ORTHANC_APP, input.name), name: input.storage.claimName, namespace: input.namespace },
        spec: {
            accessModes: [input.storage.accessMode],
            resources: { requests: { storage: input.storage.size } },
            ...(input.storage.storageClass ? { storageClassName: input.storage.storageClass } : {}),
        },
    };
}

export function renderOrthancDisruptionBudget(input: Pick<OrthancWorkloadInput, "name" | "namespace">) {
    return {
        apiVersion: "policy/v1" as const,
        kind: "PodDisruptionBudget" as const,
        metadata: { labels: appLabels(ORTHANC_APP, input.name), name: input.name, namespace: input.namespace },
        // Voluntary evictions (node drains) take one pod at a time and never block on a single replica.
        spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(ORTHANC_APP, input.name) } },
    };
}
