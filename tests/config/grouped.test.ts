import assert from "node:assert/strict";
import { validatePlatformConfig } from "../../components/config/validate";

import { problemsOf, valid } from "./problems";

describe("config: one object per service and a list of sites", () => {
    it("reads each service's group and the site, as a program passes them or as Pulumi hands them over (JSON text)", () => {
        const grouped = {
            ...valid,
            orthanc: { replicas: 3, sharedStorageClass: "nfs-client", aeTitle: "PACS" },
            postgres: { storageSize: "100Gi" },
            viewer: { image: "registry.example.org/ohif:3.13.2-viewer" },
            dcm4chee: { aeTitle: "HOSPITAL" },
            sites: [{ archives: ["dcm4chee", "orthanc"], viewerPath: "/viewer" }],
        };
        const fromStack = Object.fromEntries(Object.entries(grouped).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        for (const input of [grouped, fromStack]) {
            const config = validatePlatformConfig(input);
            assert.equal(config.orthanc.replicas, 3);
            assert.equal(config.orthanc.accessMode, "ReadWriteMany");
            assert.equal(config.orthanc.aeTitle, "PACS");
            assert.equal(config.postgres.storageSize, "100Gi");
            assert.equal(config.dcm4chee.aeTitle, "HOSPITAL");
            assert.deepEqual(config.sites, [{ archives: ["dcm4chee", "orthanc"], defaultArchive: "dcm4chee", viewerPath: "/viewer" }]);
        }
    });

    it("gives the same configuration for today's flat keys and the grouped ones", () => {
        const flat = validatePlatformConfig({ ...valid, orthancReplicas: "2", orthancSharedStorageClass: "efs-sc", archives: '["orthanc","dcm4chee"]', dcm4cheeStorageSize: "1Ti" });
        const grouped = validatePlatformConfig({ ...valid, orthanc: { replicas: 2, sharedStorageClass: "efs-sc" }, sites: [{ archives: ["orthanc", "dcm4chee"] }], dcm4chee: { storageSize: "1Ti" } });
        assert.deepEqual(flat, grouped);
    });

    it("names a bad value by the key as written: the group's field", () => {
        assert.deepEqual(problemsOf({ ...valid, orthanc: { replicas: 0 } }), ["pacstack:orthanc.replicas = 0: must be an integer from 1 to 10"]);
        assert.deepEqual(problemsOf({ ...valid, sites: [{ archives: ["pacsone"] }] }), [
            'pacstack:sites[0].archives = ["pacsone"]: must be a non-empty list of distinct archives from orthanc, dcm4chee',
        ]);
        const [replicas] = problemsOf({ ...valid, orthanc: { replicas: 2 } });
        assert.match(replicas, /^pacstack:orthanc\.replicas = 2: .*so pacstack:orthanc\.sharedStorageClass must name a ReadWriteMany storage class/);
    });

    it("refuses a value set both as today's flat key and in its group, naming the new key", () => {
        assert.deepEqual(problemsOf({ ...valid, orthancReplicas: 2, orthanc: { replicas: 3, sharedStorageClass: "nfs" } }), [
            "pacstack:orthancReplicas = 2: pacstack:orthanc.replicas sets the same value; keep only pacstack:orthanc.replicas",
        ]);
        assert.match(problemsOf({ ...valid, viewerPath: "/v", sites: [{ viewerPath: "/w" }] })[0], /keep only pacstack:sites\[0\]\.viewerPath$/);
    });

    it("suggests the grouped key for a misspelled flat one, and the nearest field inside a group", () => {
        assert.match(problemsOf({ ...valid, orthancReplica: 2 })[0], /unknown setting; allowed settings are platform, domain, .*\(did you mean pacstack:orthanc\.replicas\?\)$/);
        assert.deepEqual(problemsOf({ ...valid, orthanc: { replica: 2 } }), [
            "pacstack:orthanc.replica = 2: unknown field; allowed fields are replicas, sharedStorageClass, storageSize, aeTitle, temporarySize, image, plugins, extraConfig, peers, forwarding, stableAgeSeconds (did you mean pacstack:orthanc.replicas?)",
        ]);
    });

    it("refuses a group that is not an object and more than one site", () => {
        assert.deepEqual(problemsOf({ ...valid, orthanc: "3" }), ['pacstack:orthanc = 3: must be an object with the fields replicas, sharedStorageClass, storageSize, aeTitle, temporarySize, image, plugins, extraConfig, peers, forwarding, stableAgeSeconds']);
        assert.match(problemsOf({ ...valid, sites: [{ archives: ["orthanc"] }, { archives: ["dcm4chee"] }] })[0], /^pacstack:sites = .*: one site is supported/);
        assert.match(problemsOf({ ...valid, sites: "orthanc" })[0], /^pacstack:sites = "orthanc": must be a list of sites/);
    });
});
