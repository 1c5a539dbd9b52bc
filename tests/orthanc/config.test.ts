import assert from "node:assert/strict";
import { validatePlatformConfig } from "../../components/config/validate";
import {
    DB_PASSWORD_ENV,
    DICOM_TLS_CIPHERS,
    MAX_ORTHANC_REPLICAS,
    ORTHANC_INDEX_CONNECTIONS,
    POD_NAME_ENV,
    orthancJson,
    renderOrthancCredentials,
} from "../../components/orthanc/config";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { ORTHANC_MOUNTS, TRUSTED_MODALITIES_FILE } from "../../components/orthanc/paths";

const input = {
    name: "pacstack-orthanc",
    aeTitle: "PACS",
    replicas: 1,
    publicAuthority: "pacs.example.org",
    maxRequestBodyMiB: 1024,
    database: { host: "db.pacstack.svc.cluster.local", port: 5432, name: "orthanc", username: "orthanc" },
};

describe("orthanc: configuration renderer", () => {
    const single = renderDeployedOrthancConfig(input);
    const shared = renderDeployedOrthancConfig({ ...input, replicas: 3 });
    const pg = (config: Record<string, unknown>) => config.PostgreSQL as Record<string, unknown>;

    it("indexes in PostgreSQL over SSL and keeps DICOM files on the storage mount", () => {
        assert.deepEqual(pg(single), {
            ConnectionRetryInterval: 2,
            Database: "orthanc",
            EnableIndex: true,
            EnableSsl: true,
            EnableStorage: false,
            Host: "db.pacstack.svc.cluster.local",
            IndexConnectionsCount: ORTHANC_INDEX_CONNECTIONS,
            Lock: true,
            MaximumConnectionRetries: 30,
            Password: `\${${DB_PASSWORD_ENV}}`,
            Port: 5432,
            TransactionMode: "ReadCommitted",
            Username: "orthanc",
        });
        assert.equal(single.StorageDirectory, ORTHANC_MOUNTS.storage);
        assert.deepEqual(single.Plugins, [
            "/usr/share/orthanc/plugins-available/libOrthancPostgreSQLIndex.so",
            "/usr/share/orthanc/plugins-available/libOrthancDicomWeb.so",
        ]);
    });

    it("contains no credential: passwords come from the environment and the credentials file", () => {
        const text = orthancJson(single);
        assert.doesNotMatch(text, /RegisteredUsers/);
        assert.equal(pg(single).Password, "${ORTHANC_DB_PASSWORD}");
        assert.deepEqual(renderOrthancCredentials({ admin: "s3cret" }), { RegisteredUsers: { admin: "s3cret" } });
    });

    it("turns on DICOM TLS with required client certificates and the called-AET check", () => {
        assert.equal(single.DicomTlsEnabled, true);
        assert.equal(single.DicomTlsRemoteCertificateRequired, true);
        assert.equal(single.DicomTlsCertificate, `${ORTHANC_MOUNTS.dicomTls}/tls.crt`);
        assert.equal(single.DicomTlsPrivateKey, `${ORTHANC_MOUNTS.dicomTls}/tls.key`);
        assert.equal(single.DicomTlsTrustedCertificates, `${ORTHANC_MOUNTS.config}/${TRUSTED_MODALITIES_FILE}`);
        assert.equal(single.DicomCheckCalledAet, true);
        assert.equal(single.DicomAet, "PACS");
    });

    it("holds DICOM TLS to BCP 195: TLS 1.2 minimum (4) and only ECDHE suites with AES-GCM or ChaCha20-Poly1305", () => {
        assert.equal(single.DicomTlsMinimumProtocolVersion, 4);
        assert.deepEqual(single.DicomTlsCiphersAccepted, DICOM_TLS_CIPHERS);
        const suites = single.DicomTlsCiphersAccepted as string[];
        assert.ok(suites.length > 0);
        for (const suite of suites) assert.match(suite, /^ECDHE-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/, suite);
        // TLS 1.3 suites are not listed (not every release since 1.12.4 is known to accept the names); OpenSSL's
        // TLS 1.3 defaults are all AEAD.
        assert.ok(suites.every((suite) => !suite.startsWith("TLS_")));
        assert.ok(suites.some((suite) => suite.startsWith("ECDHE-RSA-")), "pacstack's certificates have RSA keys");
    });

    it("reads files without SpecificCharacterSet, and writes, in UTF-8 (DefaultEncoding)", () => {
        assert.equal(single.DefaultEncoding, "Utf8");
    });

    it("applies the Orthanc Book's security hardening", () => {
        assert.equal(single.AuthenticationEnabled, true);
        assert.equal(single.RemoteAccessAllowed, true);
        assert.equal(single.ExecuteLuaEnabled, false);
        assert.equal(single.RestApiWriteToFileSystemEnabled, false);
        assert.equal(single.WebDavEnabled, false);
        assert.equal(single.HttpsVerifyPeers, true);
        assert.ok((single.LimitFindResults as number) > 0 && (single.LimitFindInstances as number) > 0);
        assert.equal(single.OverwriteInstances, false);
    });

    it("serves its REST API over HTTPS with the certificate-and-key file of its mounted backend Secret", () => {
        assert.equal(single.SslEnabled, true);
        assert.equal(single.SslCertificate, `${ORTHANC_MOUNTS.httpsTls}/tls-bundle.pem`);
        const { SslCertificate: _, ...plain } = renderDeployedOrthancConfig(input);
        assert.ok(!("SslCertificate" in plain));
    });

    it("caps request bodies at the edge's upload limit (Orthanc 1.12.11; ignored by the tests' 1.10.1)", () => {
        assert.equal(single.MaximumRequestBodySizeMB, 1024);
    });

    it("publishes DICOMweb URLs on the public HTTPS host", () => {
        const dicomWeb = single.DicomWeb as Record<string, unknown>;
        assert.equal(dicomWeb.Root, "/dicom-web/");
        assert.equal(dicomWeb.Host, "pacs.example.org");
        assert.equal(dicomWeb.Ssl, true);
    });

    it("names the edge's port in DICOMweb URLs when it is not 443", () => {
        const nodePort = renderDeployedOrthancConfig({ ...input, publicAuthority: "pacs.minikube.test:30443" }).DicomWeb as Record<string, unknown>;
        assert.equal(nodePort.Host, "pacs.minikube.test:30443");
    });

    it("with one replica keeps the database lock, saved jobs and the derived server identity", () => {
        assert.equal(pg(single).Lock, true);
        assert.equal(single.SaveJobs, true);
        assert.equal("DatabaseServerIdentifier" in single, false);
    });

    it("with several replicas drops the lock and saved jobs and names each pod", () => {
        assert.equal(pg(shared).Lock, false);
        assert.equal(shared.SaveJobs, false);
        assert.equal(shared.DatabaseServerIdentifier, `\${${POD_NAME_ENV}}`);
    });

    it("keeps durability on: every DICOM file is fsynced before the C-STORE is acknowledged", () => {
        assert.equal(single.SyncStorageArea, true);
        assert.equal(shared.SyncStorageArea, true);
        assert.equal(single.StorageCompression, false);
    });

    it("bounds the database connections per process and pins ReadCommitted transactions", () => {
        for (const config of [single, shared]) {
            assert.equal(pg(config).IndexConnectionsCount, ORTHANC_INDEX_CONNECTIONS);
            assert.equal(pg(config).TransactionMode, "ReadCommitted");
        }
        assert.ok(ORTHANC_INDEX_CONNECTIONS >= 4, "at least one connection per DICOM thread (DicomThreadsCount 4)");
    });

    it("reconnects to PostgreSQL every 2 s and waits a minute for it at startup", () => {
        assert.equal(pg(single).ConnectionRetryInterval, 2);
        assert.equal((pg(single).MaximumConnectionRetries as number) * (pg(single).ConnectionRetryInterval as number), 60);
    });

    it("MAX_ORTHANC_REPLICAS is the largest orthancReplicas the configuration accepts", () => {
        const base = { platform: "cloud", domain: "pacs.example.org", orthancSharedStorageClass: "nfs" };
        assert.equal(validatePlatformConfig({ ...base, orthancReplicas: MAX_ORTHANC_REPLICAS }).orthanc.replicas, MAX_ORTHANC_REPLICAS);
        assert.throws(() => validatePlatformConfig({ ...base, orthancReplicas: MAX_ORTHANC_REPLICAS + 1 }));
    });

    it("serialises deterministically (sorted keys, one trailing newline)", () => {
        const text = orthancJson(single);
        const reordered = { ...input, database: { username: "orthanc", name: "orthanc", port: 5432, host: input.database.host } };
        assert.equal(orthancJson(renderDeployedOrthancConfig(reordered)), text);
        const keys = Object.keys(JSON.parse(text));
        assert.deepEqual(keys, [...keys].sort());
        assert.ok(text.endsWith("}\n"));
    });
});
