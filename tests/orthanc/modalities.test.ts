import assert from "node:assert/strict";
import { ModalityAccess } from "../../components/config/modalities";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { allowExternalPorts } from "../../components/kube/network-policy";
import { renderDicomModalities } from "../../components/orthanc/modalities";

const workstation: ModalityAccess = { name: "ws-1", aeTitle: "WS1", allow: ["find", "move", "get", "echo"], destination: { host: "ws1.hospital.org", port: 11112, tls: true } };
const scanner: ModalityAccess = { name: "ct-1", aeTitle: "CT1", allow: ["store", "echo"] };

describe("orthanc: modalities and their rights (DicomModalities)", () => {
    it("writes every permission key for each AE title (Orthanc allows what a key leaves out)", () => {
        const rendered = renderDicomModalities([workstation, scanner]);
        assert.deepEqual(rendered.DicomModalities, {
            "ws-1": {
                AET: "WS1",
                Host: "ws1.hospital.org",
                Port: 11112,
                UseDicomTls: true,
                AllowEcho: true,
                AllowStore: false,
                AllowFind: true,
                AllowMove: true,
                AllowGet: true,
                AllowFindWorklist: false,
                AllowStorageCommitment: false,
            },
            "ct-1": {
                AET: "CT1",
                Host: "ct-1.invalid",
                Port: 104,
                UseDicomTls: true,
                AllowEcho: true,
                AllowStore: true,
                AllowFind: false,
                AllowMove: false,
                AllowGet: false,
                AllowFindWorklist: false,
                AllowStorageCommitment: false,
            },
        });
        assert.equal(rendered.DicomModalitiesInDatabase, false);
    });

    it("refuses unknown AE titles unless a name-only modality (the earlier form) is configured", () => {
        for (const modalities of [[], [workstation, scanner]]) {
            const rendered = renderDicomModalities(modalities);
            assert.deepEqual([rendered.DicomAlwaysAllowStore, rendered.DicomAlwaysAllowEcho], [false, false], JSON.stringify(modalities));
        }
        const legacy = renderDicomModalities([{ name: "ct-scanner", allow: ["store", "echo"] }, workstation]);
        assert.deepEqual([legacy.DicomAlwaysAllowStore, legacy.DicomAlwaysAllowEcho], [true, true]);
        assert.deepEqual(Object.keys(legacy.DicomModalities as object), ["ws-1"], "a name-only modality has no AE title to list");
    });

    it("is part of the deployed configuration", () => {
        const config = renderDeployedOrthancConfig({
            name: "pacstack-orthanc",
            aeTitle: "ORTHANC",
            replicas: 1,
            publicAuthority: "pacs.example.org",
            maxRequestBodyMiB: 1024,
            database: { host: "db", port: 5432, name: "orthanc", username: "orthanc" },
            modalities: [workstation],
        });
        assert.deepEqual(Object.keys(config.DicomModalities as object), ["ws-1"]);
        assert.equal(config.DicomAlwaysAllowStore, false);
    });

    it("lets Orthanc pods reach the destinations' ports, and nothing else (egress only, ports only)", () => {
        const policy = allowExternalPorts("pacstack-orthanc-dicom-destinations-egress", { namespace: "pacstack", podLabels: { app: "orthanc" } }, [{ port: 104 }, { port: 11112 }]);
        assert.deepEqual(policy.spec, {
            egress: [{ ports: [{ port: 104, protocol: "TCP" }, { port: 11112, protocol: "TCP" }] }],
            podSelector: { matchLabels: { app: "orthanc" } },
            policyTypes: ["Egress"],
        });
    });
});
