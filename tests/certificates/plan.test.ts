import assert from "node:assert/strict";
import { parseImage } from "../../components/config/image";
import { planCertificates, serviceHostNames } from "../../components/certificates/plan";

describe("certificates: plan", () => {
    const hosts = serviceHostNames("pacstack-postgresql", "pacstack");

    it("issues web, DICOM and database server certificates and one client certificate per modality", () => {
        const plan = planCertificates({ domain: "pacs.example.org", databaseHosts: hosts, modalities: ["ct1", "mr1"], externalWebCertificate: false });
        assert.deepEqual(
            plan.map((l) => [l.id, l.usage]),
            [["web", "server"], ["dicom", "server-client"], ["database", "server"], ["modality-ct1", "client"], ["modality-mr1", "client"]],
        );
        assert.deepEqual(plan[2].dnsNames, [
            "pacstack-postgresql",
            "pacstack-postgresql.pacstack",
            "pacstack-postgresql.pacstack.svc",
            "pacstack-postgresql.pacstack.svc.cluster.local",
        ]);
    });

    it("makes a modality's certificate a server one too when it receives over DICOM TLS (a C-MOVE destination)", () => {
        const plan = planCertificates({ domain: "pacs.example.org", databaseHosts: [], modalities: ["ct1", "ws1"], receivingModalities: ["ws1"], externalWebCertificate: false });
        assert.deepEqual(plan.filter((l) => l.id.startsWith("modality-")).map((l) => [l.id, l.usage]), [["modality-ct1", "client"], ["modality-ws1", "server-client"]]);
    });

    it("issues a server certificate for each further in-cluster TLS server, for the names it is reached by", () => {
        const services = [{ id: "dcm4chee-ldap", hosts: ["ldap", "ldap.pacstack", "localhost"] }, { id: "dcm4chee-db", hosts: ["db"] }];
        const plan = planCertificates({ domain: "pacs.example.org", databaseHosts: [], modalities: ["ct1"], externalWebCertificate: false, services });
        assert.deepEqual(plan.map((l) => [l.id, l.usage, l.commonName]), [
            ["web", "server", "pacs.example.org"],
            ["dicom", "server-client", "pacs.example.org"],
            ["dcm4chee-ldap", "server", "ldap"],
            ["dcm4chee-db", "server", "db"],
            ["modality-ct1", "client", "ct1"],
        ]);
        assert.deepEqual(plan[2].dnsNames, ["ldap", "ldap.pacstack", "localhost"]);
    });

    it("bundles certificate and key for a server that asks (Orthanc's HTTPS), and refuses a certificate without a name", () => {
        const orthanc = serviceHostNames("pacstack-orthanc", "pacstack");
        const plan = planCertificates({ domain: "pacs.example.org", databaseHosts: [], services: [{ id: "orthanc-https", hosts: orthanc, bundle: true }], modalities: ["ct1"], externalWebCertificate: false });
        const leaf = plan.find((l) => l.id === "orthanc-https")!;
        assert.deepEqual([leaf.commonName, leaf.dnsNames, leaf.usage, leaf.bundle], ["pacstack-orthanc", orthanc, "server", true]);
        assert.equal(plan.filter((l) => l.bundle).length, 1, "only certificates asked for carry the certificate-and-key file");
        assert.throws(
            () => planCertificates({ domain: "pacs.example.org", databaseHosts: [], services: [{ id: "x-https", hosts: [] }], modalities: [], externalWebCertificate: false }),
            /server certificate x-https names no host/,
        );
    });

    it("adds the in-cluster names whose HTTPS presents the DICOM certificate (dcm4chee's keystore) to it", () => {
        const dcm4chee = serviceHostNames("pacstack-dcm4chee", "pacstack");
        const plan = planCertificates({ domain: "pacs.example.org", databaseHosts: [], dicomServiceHosts: dcm4chee, modalities: [], externalWebCertificate: false });
        const dicom = plan.find((l) => l.id === "dicom")!;
        assert.deepEqual([dicom.commonName, dicom.dnsNames], ["pacs.example.org", ["pacs.example.org", ...dcm4chee]]);
    });

    it("issues no web certificate when the user brings one", () => {
        const plan = planCertificates({ domain: "pacs.example.org", databaseHosts: hosts, modalities: [], externalWebCertificate: true });
        assert.deepEqual(plan.map((l) => l.id), ["dicom", "database"]);
    });
});

describe("config: image references", () => {
    it("splits registry, repository and tag, defaulting to docker.io", () => {
        assert.deepEqual(parseImage("traefik:v3.7.11"), { registry: "docker.io", repository: "traefik", tag: "v3.7.11" });
        assert.deepEqual(parseImage("bitnamilegacy/postgresql:17"), { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17" });
        assert.deepEqual(parseImage("registry.local:5000/a/b:1"), { registry: "registry.local:5000", repository: "a/b", tag: "1" });
        const digest = `sha256:${"a".repeat(64)}`;
        assert.deepEqual(parseImage(`ghcr.io/x/y@${digest}`), { registry: "ghcr.io", repository: "x/y", tag: digest });
    });

    it("refuses unpinned and latest references", () => {
        assert.equal(parseImage("traefik"), undefined);
        assert.equal(parseImage("traefik:latest"), undefined);
        assert.equal(parseImage("Traefik:1"), undefined);
    });
});

describe("certificates: without Orthanc's database", () => {
    it("issues no database certificate when no database host is given (dcm4chee alone)", () => {
        const plan = planCertificates({ domain: "pacs.example.org", databaseHosts: [], modalities: ["ct1"], externalWebCertificate: false });
        assert.deepEqual(plan.map((leaf) => leaf.id), ["web", "dicom", "modality-ct1"]);
    });
});
