import assert from "node:assert/strict";
import { MAX_ORTHANC_REPLICAS, ORTHANC_INDEX_CONNECTIONS } from "../../components/orthanc/config";
import { POSTGRES_MAX_CONNECTIONS, POSTGRES_RESERVED_CONNECTIONS, renderPgHba, renderPostgresValues } from "../../components/postgres/values";
import { parsePostgresConf } from "../harness/real/pacstack-postgres";

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
        assert.doesNotMatch(values.primary.extendedConfiguration, /fsync|synchronous_commit|full_page_writes|wal_level|commit_delay/);
    });

    const settings = () => parsePostgresConf(values.primary.extendedConfiguration);

    it("has room for every Orthanc process's connections, rolling-update surge pod included", () => {
        assert.equal(settings().max_connections, String(POSTGRES_MAX_CONNECTIONS));
        assert.equal(settings().superuser_reserved_connections, String(POSTGRES_RESERVED_CONNECTIONS));
        const needed = (MAX_ORTHANC_REPLICAS + 1) * ORTHANC_INDEX_CONNECTIONS;
        assert.ok(needed <= POSTGRES_MAX_CONNECTIONS - POSTGRES_RESERVED_CONNECTIONS, `${needed} Orthanc sessions`);
    });

    it("notices clients lost with their node within two minutes (TCP keepalives)", () => {
        const s = settings();
        const seconds = Number(s.tcp_keepalives_idle) + Number(s.tcp_keepalives_interval) * Number(s.tcp_keepalives_count);
        assert.ok(seconds > 0 && seconds <= 120, `dead peers found after ${seconds} s`);
    });

    it("replaces the chart's pg_hba.conf: network sessions only over TLS with SCRAM (proven in pg-hba.real.test.ts)", () => {
        assert.equal(values.primary.pgHbaConfiguration, renderPgHba());
        for (const line of renderPgHba().split("\n").filter((l) => l && !l.startsWith("#"))) {
            const [type, ...rest] = line.split(/\s+/);
            assert.ok(["local", "hostssl", "hostnossl"].includes(type), `no plain "host" rule: ${line}`);
            assert.equal(rest.at(-1), type === "hostnossl" ? "reject" : "scram-sha-256", line);
        }
        assert.doesNotMatch(renderPgHba(), /\b(md5|trust|password)\b/);
    });
});
