import assert from "node:assert/strict";
import { renderPostgresValues } from "../../components/postgres/values";

const input = {
    fullname: "pacstack-postgresql",
    image: { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" },
    database: "orthanc",
    username: "orthanc",
    credentialsSecret: "pacstack-postgresql-credentials",
    tlsSecret: "pacstack-database-tls",
    storage: { size: "5Gi", storageClass: "standard" },
    resources: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
};

describe("postgres: chart values renderer", () => {
    const values = renderPostgresValues(input) as Record<string, any>;

    it("uses the bitnamilegacy images everywhere and allows the substitution explicitly", () => {
        assert.deepEqual(values.global, { security: { allowInsecureImages: true } });
        assert.deepEqual(values.image, input.image);
        assert.deepEqual(values.volumePermissions.image, { registry: "docker.io", repository: "bitnamilegacy/os-shell", tag: "12-debian-12-r51" });
        assert.deepEqual(values.metrics.image, { registry: "docker.io", repository: "bitnamilegacy/postgres-exporter", tag: "0.17.1-debian-12-r16" });
    });

    it("follows a mirror: helper images come from the PostgreSQL image's registry and organisation", () => {
        const mirrored = renderPostgresValues({ ...input, image: { registry: "registry.hospital.local", repository: "mirror/bitnami/postgresql", tag: "17.6.0" } }) as Record<string, any>;
        assert.equal(mirrored.volumePermissions.image.registry, "registry.hospital.local");
        assert.equal(mirrored.volumePermissions.image.repository, "mirror/bitnami/os-shell");
    });

    it("reads passwords from the pacstack Secret and never carries one itself", () => {
        assert.equal(values.auth.existingSecret, "pacstack-postgresql-credentials");
        assert.deepEqual(values.auth.secretKeys, { adminPasswordKey: "postgres-password", userPasswordKey: "password" });
        assert.doesNotMatch(JSON.stringify(values), /"password"\s*:\s*"[^"]/i);
    });

    it("serves TLS with the pacstack certificate", () => {
        assert.deepEqual(values.tls, { certFilename: "tls.crt", certKeyFilename: "tls.key", certificatesSecret: "pacstack-database-tls", enabled: true });
        assert.match(values.primary.extendedConfiguration, /ssl_min_protocol_version = 'TLSv1.2'/);
    });

    it("keeps the data volume when the release is deleted", () => {
        assert.deepEqual(values.primary.persistentVolumeClaimRetentionPolicy, { enabled: true, whenDeleted: "Retain", whenScaled: "Retain" });
        assert.equal(values.primary.persistence.size, "5Gi");
        assert.equal(values.primary.persistence.storageClass, "standard");
    });

    it("never weakens durability", () => {
        assert.doesNotMatch(values.primary.extendedConfiguration, /fsync|synchronous_commit|full_page_writes/);
    });
});
