import assert from "node:assert/strict";
import { PlatformConfigError, validatePlatformConfig } from "../../components/config/validate";

import { problemsOf, valid } from "./problems";

/** Asserts exactly one problem, naming the key, showing the value and saying what is allowed. */
function rejects(raw: Record<string, unknown>, key: string, value: string, allowed: RegExp) {
    const problems = problemsOf(raw);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(problems[0], new RegExp(`^pacstack:${key}\\b`));
    assert.ok(problems[0].includes(value), `${problems[0]} should show ${value}`);
    assert.match(problems[0], allowed);
}

describe("config: validatePlatformConfig", () => {
    it("applies every default and the minikube profile", () => {
        const config = validatePlatformConfig(valid);
        assert.equal(config.namespace, "pacstack");
        assert.equal(config.ingressNamespace, "pacstack-ingress");
        assert.equal(config.storageClass, "standard");
        assert.equal(config.serviceType, "NodePort");
        assert.equal(config.orthanc.replicas, 1);
        assert.equal(config.orthanc.accessMode, "ReadWriteOnce");
        assert.equal(config.orthanc.aeTitle, "ORTHANC");
        assert.equal(config.orthanc.storageSize, "20Gi");
        assert.deepEqual(config.orthanc.image, { registry: "docker.io", repository: "orthancteam/orthanc", tag: "26.6.1" });
        assert.deepEqual(config.postgres.image, { registry: "docker.io", repository: "bitnamilegacy/postgresql", tag: "17.6.0-debian-12-r4" });
        assert.deepEqual(config.kubernetes, { context: undefined, kubeconfig: undefined });
        assert.equal(config.webTlsSecret, undefined);
        assert.deepEqual(config.modalities, []);
    });

    it("selects storage, exposure and sizes per platform", () => {
        const microk8s = validatePlatformConfig({ ...valid, platform: "microk8s" });
        assert.equal(microk8s.storageClass, "microk8s-hostpath");
        assert.equal(microk8s.serviceType, "NodePort");
        const cloud = validatePlatformConfig({ ...valid, platform: "cloud" });
        assert.equal(cloud.storageClass, undefined, "cloud uses the cluster's default storage class");
        assert.equal(cloud.serviceType, "LoadBalancer");
        assert.equal(cloud.orthanc.storageSize, "500Gi");
        assert.notDeepEqual(cloud.orthanc.resources, microk8s.orthanc.resources);
    });

    it("reads the strings Pulumi passes (integers, JSON lists) and selects the kube context", () => {
        const config = validatePlatformConfig({
            ...valid,
            orthancReplicas: "3",
            orthancSharedStorageClass: "nfs-client",
            modalities: '["ct1","mr-2"]',
            kubeContext: "microk8s",
            kubeconfig: "/etc/kube/config",
        });
        assert.equal(config.orthanc.replicas, 3);
        assert.equal(config.orthanc.accessMode, "ReadWriteMany");
        assert.equal(config.orthanc.storageClass, "nfs-client");
        assert.deepEqual(config.modalities, ["ct1", "mr-2"]);
        assert.deepEqual(config.kubernetes, { context: "microk8s", kubeconfig: "/etc/kube/config" });
    });

    it("rejects an unknown platform", () => rejects({ ...valid, platform: "gke" }, "platform", '"gke"', /one of minikube, microk8s, cloud/));
    it("rejects a malformed domain", () => rejects({ ...valid, domain: "PACS_host" }, "domain", '"PACS_host"', /DNS name/));
    it("rejects a single-label domain", () => rejects({ ...valid, domain: "localhost" }, "domain", '"localhost"', /at least two labels/));
    it("rejects replicas < 1", () => rejects({ ...valid, orthancReplicas: 0 }, "orthancReplicas", "0", /from 1 to 10/));
    it("rejects non-integer replicas", () => rejects({ ...valid, orthancReplicas: "two" }, "orthancReplicas", '"two"', /must be a integer/));
    it("rejects unknown keys", () => rejects({ ...valid, orthancReplica: 2 }, "orthancReplica", "2", /unknown setting; allowed settings are platform, domain/));
    it("rejects a missing required key", () => {
        const problems = problemsOf({ platform: "cloud" });
        assert.deepEqual(problems.length, 1);
        assert.match(problems[0], /^pacstack:domain is missing: Host name/);
    });
    it("rejects an image pinned to latest", () =>
        rejects({ ...valid, orthancImage: "orthancteam/orthanc:latest" }, "orthancImage", "orthanc:latest", /pinned by tag or digest/));
    it("rejects an untagged image", () => rejects({ ...valid, traefikImage: "traefik" }, "traefikImage", '"traefik"', /latest is refused/));
    it("rejects a malformed AE title", () => rejects({ ...valid, orthancAeTitle: "MY ARCHIVE TITLE TOO LONG" }, "orthancAeTitle", "MY ARCHIVE", /1-16 characters/));
    it("rejects duplicate or malformed modality names", () => {
        rejects({ ...valid, modalities: ["ct1", "ct1"] }, "modalities", "ct1", /appear more than once/);
        rejects({ ...valid, modalities: ["CT 1"] }, "modalities", '"CT 1"', /lowercase DNS label/);
        rejects({ ...valid, modalities: "not json" }, "modalities", '"not json"', /must be a list/);
    });
    it("rejects a malformed size", () => rejects({ ...valid, orthancStorageSize: "20GB" }, "orthancStorageSize", '"20GB"', /like 20Gi/));
    it("rejects an inexact chart version", () => rejects({ ...valid, postgresChartVersion: "16.x" }, "postgresChartVersion", '"16.x"', /exact chart version/));
    it("rejects an upload limit out of range", () => rejects({ ...valid, uploadLimitMiB: 0 }, "uploadLimitMiB", "0", /from 1 to 65536/));
    it("caps DICOM connections per client address at 16 unless set, from 1 to 1024", () => {
        assert.equal(validatePlatformConfig(valid).traefik.dicomConnectionsPerSource, 16);
        assert.equal(validatePlatformConfig({ ...valid, traefik: { dicomConnectionsPerSource: 4 } }).traefik.dicomConnectionsPerSource, 4);
        rejects({ ...valid, traefik: { dicomConnectionsPerSource: 0 } }, "traefik.dicomConnectionsPerSource", "0", /from 1 to 1024/);
        rejects({ ...valid, traefik: { dicomConnectionsPerSource: 5000 } }, "traefik.dicomConnectionsPerSource", "5000", /from 1 to 1024/);
    });
    it("rejects replicas > 1 without a ReadWriteMany storage class", () =>
        rejects({ ...valid, orthancReplicas: 2 }, "orthancReplicas", "2", /orthancSharedStorageClass must name a ReadWriteMany storage class/));

    it("reports every problem of a bad configuration in one error", () => {
        assert.throws(
            () => validatePlatformConfig({ platform: "kind", domain: "x", orthancReplicas: -1, colour: "blue" }),
            (error: PlatformConfigError) => {
                assert.equal(error.problems.length, 4, error.message);
                for (const key of ["platform", "domain", "orthancReplicas", "colour"]) {
                    assert.ok(error.message.includes(`pacstack:${key}`), `${key} missing from:\n${error.message}`);
                }
                return true;
            },
        );
    });
});

describe("config: archives, viewer and dcm4chee settings", () => {
    it("defaults to Orthanc alone, the viewer at / and dcm4chee's pinned images", () => {
        const config = validatePlatformConfig(valid);
        assert.deepEqual(config.sites[0].archives, ["orthanc"]);
        assert.equal(config.sites[0].defaultArchive, "orthanc");
        assert.equal(config.sites[0].viewerPath, "/");
        assert.deepEqual(config.viewer.image, { registry: "docker.io", repository: "ohif/app", tag: "v3.13.2" });
        assert.equal(config.dcm4chee.aeTitle, "DCM4CHEE");
        assert.deepEqual(config.dcm4chee.images.archive, { registry: "docker.io", repository: "dcm4che/dcm4chee-arc-psql", tag: "5.34.3" });
        assert.equal(config.dcm4chee.storageSize, "20Gi");
        assert.equal(config.dcm4chee.databaseSize, "5Gi");
    });

    it("reads archives as Pulumi passes them and picks the first as default archive", () => {
        const config = validatePlatformConfig({ ...valid, archives: '["dcm4chee","orthanc"]', dcm4cheeStorageSize: "1Ti" });
        assert.deepEqual(config.sites[0].archives, ["dcm4chee", "orthanc"]);
        assert.equal(config.sites[0].defaultArchive, "dcm4chee");
        assert.equal(config.dcm4chee.storageSize, "1Ti");
        assert.equal(validatePlatformConfig({ ...valid, archives: ["orthanc", "dcm4chee"], defaultArchive: "dcm4chee" }).sites[0].defaultArchive, "dcm4chee");
    });

    it("accepts a viewer prefix with an image built for it", () => {
        const config = validatePlatformConfig({ ...valid, viewerPath: "/viewer", ohifImage: "registry.example.org/ohif-viewer:3.13.2-viewer" });
        assert.equal(config.sites[0].viewerPath, "/viewer");
    });

    it("rejects an empty archive list", () => rejects({ ...valid, archives: [] }, "archives", "[]", /non-empty list of distinct archives from orthanc, dcm4chee/));
    it("rejects an unknown archive", () => rejects({ ...valid, archives: ["orthanc", "pacsone"] }, "archives", '"pacsone"', /from orthanc, dcm4chee/));
    it("rejects a duplicated archive", () => rejects({ ...valid, archives: ["orthanc", "orthanc"] }, "archives", '["orthanc","orthanc"]', /distinct/));
    it("rejects a default archive that is not deployed", () =>
        rejects({ ...valid, archives: ["orthanc"], defaultArchive: "dcm4chee" }, "defaultArchive", '"dcm4chee"', /one of the deployed archives \(orthanc\)/));
    it("rejects a viewer path with a trailing slash", () => rejects({ ...valid, viewerPath: "/viewer/" }, "viewerPath", '"/viewer/"', /without trailing slash/));
    it("rejects a viewer path that shadows an archive route", () => rejects({ ...valid, viewerPath: "/dicom-web" }, "viewerPath", '"/dicom-web"', /outside \/orthanc, \/dicom-web, \/dcm4chee-arc/));
    it("rejects a viewer prefix with the ohif/app image, which only serves at /", () =>
        rejects({ ...valid, viewerPath: "/viewer" }, "viewerPath", '"/viewer"', /built with PUBLIC_URL=\/ .*pacstack:ohifImage .*PUBLIC_URL=\/viewer\//));
    it("rejects a malformed dcm4chee AE title", () => rejects({ ...valid, dcm4cheeAeTitle: "DCM 4CHEE" }, "dcm4cheeAeTitle", '"DCM 4CHEE"', /1-16 characters/));
    it("rejects a dcm4chee AE title its other AEs use", () => rejects({ ...valid, dcm4cheeAeTitle: "WORKLIST" }, "dcm4cheeAeTitle", '"WORKLIST"', /differ from dcm4chee's other AE titles/));
    it("rejects an unpinned viewer image", () => rejects({ ...valid, ohifImage: "ohif/app:latest" }, "ohifImage", '"ohif/app:latest"', /pinned by tag or digest/));
    it("rejects an unpinned dcm4chee image", () => rejects({ ...valid, dcm4cheeImage: "dcm4che/dcm4chee-arc-psql" }, "dcm4cheeImage", "dcm4chee-arc-psql", /pinned/));
    it("rejects an unpinned dcm4chee LDAP image", () => rejects({ ...valid, dcm4cheeLdapImage: "dcm4che/slapd-dcm4chee:latest" }, "dcm4cheeLdapImage", "latest", /pinned/));
    it("rejects an unpinned dcm4chee database image", () => rejects({ ...valid, dcm4cheeDatabaseImage: "Postgres" }, "dcm4cheeDatabaseImage", '"Postgres"', /pinned/));
    it("rejects a malformed dcm4chee storage size", () => rejects({ ...valid, dcm4cheeStorageSize: "20GB" }, "dcm4cheeStorageSize", '"20GB"', /size like 20Gi/));
    it("rejects a malformed dcm4chee database size", () => rejects({ ...valid, dcm4cheeDatabaseSize: "5" }, "dcm4cheeDatabaseSize", '"5"', /size like 20Gi/));
});

describe("config: pacstack:exposure (the cloud load balancer's reach)", () => {
    const cloud = { ...valid, platform: "cloud" };
    const exposure = (value: unknown) => ({ ...cloud, exposure: value });

    it("defaults to a public load balancer open to every address", () => {
        assert.deepEqual(validatePlatformConfig(cloud).exposure, { sourceRanges: [], dicomSourceRanges: [], internal: "", annotations: {} });
        assert.deepEqual(validatePlatformConfig(valid).exposure, { sourceRanges: [], dicomSourceRanges: [], internal: "", annotations: {} });
    });

    it("reads the object as Pulumi passes it (JSON) and fills the fields left out", () => {
        const config = validatePlatformConfig(exposure('{"sourceRanges":["203.0.113.0/24","2001:db8::/32","10.1.2.3/32"],"internal":"azure"}'));
        assert.deepEqual(config.exposure, { sourceRanges: ["203.0.113.0/24", "2001:db8::/32", "10.1.2.3/32"], dicomSourceRanges: [], internal: "azure", annotations: {} });
        const annotations = { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb", owner: "imaging" };
        assert.deepEqual(validatePlatformConfig(exposure({ annotations })).exposure.annotations, annotations);
    });

    it("rejects what is not an object", () => rejects(exposure("[]"), "exposure", "[]", /must be an object/));
    it("rejects an address without prefix length", () => rejects(exposure({ sourceRanges: ["203.0.113.7"] }), "exposure.sourceRanges", '"203.0.113.7"', /not a CIDR like 203\.0\.113\.0\/24/));
    it("rejects an octet out of range", () => rejects(exposure({ sourceRanges: ["203.0.113.256/24"] }), "exposure.sourceRanges", "203.0.113.256/24", /not a CIDR/));
    it("rejects a prefix longer than the address", () => rejects(exposure({ sourceRanges: ["10.0.0.0/33"] }), "exposure.sourceRanges", "10.0.0.0/33", /not a CIDR/));
    it("rejects host bits beyond the prefix", () => rejects(exposure({ sourceRanges: ["10.1.2.3/8"] }), "exposure.sourceRanges", "10.1.2.3/8", /host bits set beyond \/8/));
    it("rejects IPv6 host bits beyond the prefix", () => rejects(exposure({ sourceRanges: ["2001:db8::1/32"] }), "exposure.sourceRanges", "2001:db8::1/32", /host bits/));
    it("rejects a range given twice", () => rejects(exposure({ sourceRanges: ["10.0.0.0/8", "10.0.0.0/8"] }), "exposure.sourceRanges", "10.0.0.0/8", /twice/));
    it("rejects an unknown cloud", () => rejects(exposure({ internal: "ibm" }), "exposure.internal", '"ibm"', /one of aws, azure, gcp/));
    it("rejects a malformed annotation name", () => rejects(exposure({ annotations: { "bad key!": "x" } }), "exposure.annotations", "bad key!", /annotation name/));
    it("rejects an annotation value that is not a string", () => rejects(exposure({ annotations: { owner: 3 } }), "exposure.annotations.owner", "3", /must be a string/));
    it("rejects an unknown field", () => rejects(exposure({ sourceRange: ["10.0.0.0/8"] }), "exposure.sourceRange", "10.0.0.0/8", /allowed fields are sourceRanges, dicomSourceRanges, internal, annotations/));
    it("reads the modalities' networks, the only ranges the DICOM and HL7 ports admit", () =>
        assert.deepEqual(validatePlatformConfig(exposure({ dicomSourceRanges: ["10.20.0.0/16"] })).exposure.dicomSourceRanges, ["10.20.0.0/16"]));
    it("rejects a malformed modality network", () => rejects(exposure({ dicomSourceRanges: ["10.20.0.1/16"] }), "exposure.dicomSourceRanges", "10.20.0.1/16", /host bits set beyond \/16/));
    it("rejects modality networks that are not a list", () => rejects(exposure({ dicomSourceRanges: "10.20.0.0/16" }), "exposure.dicomSourceRanges", "10.20.0.0/16", /must be a list of CIDRs/));
    it("rejects exposure settings on node-port platforms, where no load balancer exists", () =>
        rejects({ ...valid, exposure: { sourceRanges: ["10.0.0.0/8"] } }, "exposure", "10.0.0.0/8", /cloud load balancer only; platform minikube exposes node ports/));
});
