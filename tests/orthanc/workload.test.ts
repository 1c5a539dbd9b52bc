import assert from "node:assert/strict";
import { memoryBytes } from "../../components/orthanc/command";
import { ORTHANC_MOUNTS } from "../../components/orthanc/paths";
import { LIVENESS_PATH, READINESS_PATH } from "../../components/orthanc/probe";
import {
    configChecksum,
    renderOrthancDeployment,
    renderOrthancDisruptionBudget,
    renderOrthancService,
    renderOrthancStorageClaim,
} from "../../components/orthanc/workload";

const input = {
    name: "pacstack-orthanc",
    namespace: "pacstack",
    image: "docker.io/orthancteam/orthanc:26.6.1",
    replicas: 1,
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "2", memory: "2Gi" } },
    configJson: '{"Name":"x"}\n',
    configMapName: "pacstack-orthanc-config",
    credentialsSecretName: "pacstack-orthanc-credentials",
    dicomTlsSecretName: "pacstack-dicom-tls",
    httpsTlsSecretName: "pacstack-orthanc-https-tls",
    databasePasswordSecret: { name: "pacstack-postgresql-credentials", key: "password" },
    storage: { claimName: "pacstack-orthanc-storage", size: "20Gi", storageClass: "standard", accessMode: "ReadWriteOnce" as const },
};

describe("orthanc: workload renderers", () => {
    const deployment = renderOrthancDeployment(input);
    const pod = deployment.spec.template.spec;
    const container = pod.containers[0];

    it("starts Orthanc directly on the mounted configuration folder", () => {
        // Orthanc on the configuration folder, its address space capped at the container's memory limit (in KiB).
        const limitKiB = String(memoryBytes(container.resources.limits.memory) / 1024);
        assert.deepEqual(container.command, ["/bin/sh", "-c", 'ulimit -v "$0" && exec "$@"', limitKiB, "/usr/local/bin/Orthanc", "/etc/pacstack/orthanc/"]);
        const config = pod.volumes.find((v) => v.name === "config")!;
        assert.deepEqual(
            config.projected!.sources.map((s) => ("configMap" in s ? s.configMap!.name : s.secret!.name)),
            ["pacstack-orthanc-config", "pacstack-orthanc-credentials"],
        );
    });

    it("takes the database password from the Secret, never from a literal", () => {
        const password = container.env.find((e) => e.name === "ORTHANC_DB_PASSWORD")!;
        assert.deepEqual(password.valueFrom, { secretKeyRef: { key: "password", name: "pacstack-postgresql-credentials" } });
        assert.equal("value" in password, false);
    });

    it("verifies the database certificate against the pacstack CA", () => {
        const rootCert = container.env.find((e) => e.name === "PGSSLROOTCERT")!;
        assert.equal(rootCert.value, `${ORTHANC_MOUNTS.dicomTls}/ca.crt`);
    });

    it("rolls the pods when the configuration changes", () => {
        const other = renderOrthancDeployment({ ...input, configJson: '{"Name":"y"}\n' });
        const annotation = (d: typeof deployment) => d.spec.template.metadata.annotations["pacstack.io/config-checksum"];
        assert.equal(annotation(deployment), configChecksum(input.configJson));
        assert.notEqual(annotation(other), annotation(deployment));
    });

    it("recreates a single writer, and shared replicas too (no old pod runs beside a new one across a schema upgrade)", () => {
        assert.deepEqual(deployment.spec.strategy, { type: "Recreate" });
        const shared = renderOrthancDeployment({ ...input, replicas: 3, storage: { ...input.storage, accessMode: "ReadWriteMany" } });
        assert.deepEqual(shared.spec.strategy, { type: "Recreate" });
        assert.equal(shared.spec.replicas, 3);
    });

    it("probes with the credentials file: liveness on the process, readiness through the database", () => {
        const path = (probe: { exec: { command: string[] } }) => probe.exec.command.at(-1);
        assert.equal(path(container.livenessProbe), LIVENESS_PATH);
        assert.equal(path(container.startupProbe), LIVENESS_PATH);
        assert.equal(path(container.readinessProbe), READINESS_PATH);
        assert.match(container.readinessProbe.exec.command[2], /\/etc\/pacstack\/orthanc\/credentials\.json/);
        for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
            assert.match(probe.exec.command[2], /https:\/\/127\.0\.0\.1:8042/, "the probes speak HTTPS");
            assert.match(probe.exec.command[2], /cafile="\/etc\/pacstack\/https-tls\/ca\.crt"/, "and verify the pacstack CA");
        }
    });

    it("exposes HTTPS and DICOM through a ClusterIP Service selecting the pods", () => {
        const service = renderOrthancService(input);
        assert.deepEqual(
            service.spec.ports.map((p) => [p.name, p.port]),
            [["https", 8042], ["dicom", 4242]],
        );
        assert.deepEqual(service.spec.selector, deployment.spec.selector.matchLabels);
    });

    it("mounts its HTTPS Secret read-only for the server and the probes", () => {
        const mount = container.volumeMounts.find((m) => m.name === "https-tls")!;
        assert.deepEqual(mount, { mountPath: "/etc/pacstack/https-tls", name: "https-tls", readOnly: true });
        const volume = pod.volumes.find((v) => v.name === "https-tls")!;
        assert.deepEqual(volume.secret, { defaultMode: 0o440, secretName: "pacstack-orthanc-https-tls" });
    });

    it("claims storage with the requested access mode and class", () => {
        const claim = renderOrthancStorageClaim(input);
        assert.deepEqual(claim.spec, { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } }, storageClassName: "standard" });
        const defaultClass = renderOrthancStorageClaim({ ...input, storage: { ...input.storage, storageClass: undefined } });
        assert.equal("storageClassName" in defaultClass.spec, false);
    });

    it("lets node drains evict one pod at a time", () => {
        assert.equal(renderOrthancDisruptionBudget(input).spec.maxUnavailable, 1);
    });
});

describe("Orthanc container command", function () {
    it("reads Kubernetes memory quantities, binary and decimal, and refuses anything else", function () {
        assert.equal(memoryBytes("2Gi"), 2 * 2 ** 30);
        assert.equal(memoryBytes("512Mi"), 512 * 2 ** 20);
        assert.equal(memoryBytes("1.5Gi"), 1.5 * 2 ** 30);
        assert.equal(memoryBytes("3G"), 3e9);
        assert.equal(memoryBytes("1048576"), 1048576);
        for (const bad of ["", "2 GB", "-1Gi", "Gi", "2gi"]) assert.throws(() => memoryBytes(bad), /not a memory quantity/);
    });
});
