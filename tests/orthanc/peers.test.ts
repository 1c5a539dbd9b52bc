import assert from "node:assert/strict";
import { ForwardingRule } from "../../components/config/peers";
import { renderDeployedOrthancConfig, renderDeployedOrthancFiles } from "../../components/orthanc/deployed-config";
import { luaName, renderForwardingScript } from "../../components/orthanc/forwarding";
import { ORTHANC_MOUNTS } from "../../components/orthanc/paths";
import { SYSTEM_CA_BUNDLE, peerPasswordEnv, renderOrthancPeers, renderPeerCaBundle } from "../../components/orthanc/peers";
import { configChecksum, renderOrthancDeployment } from "../../components/orthanc/workload";

const input = {
    name: "pacstack-orthanc",
    aeTitle: "ORTHANC",
    replicas: 1,
    publicAuthority: "pacs.example.org",
    maxRequestBodyMiB: 2048,
    database: { host: "db", port: 5432, name: "orthanc", username: "orthanc" },
};
const research = { name: "research", url: "https://research.hospital.org/orthanc/", username: "pacs-forwarder" };
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const toResearch: ForwardingRule = { target: { kind: "peer", name: "research" }, trigger: "stable-study" };
const toTeaching: ForwardingRule = { target: { kind: "modality", name: "teaching-pacs" }, trigger: "stable-study" };

describe("orthanc: peers and the forwarding script", () => {
    it("renders peers with the password as an environment reference, never a value", () => {
        assert.equal(peerPasswordEnv("research-2"), "ORTHANC_PEER_RESEARCH_2_PASSWORD");
        assert.throws(() => peerPasswordEnv("a_b"), /not a lowercase DNS label/);
        assert.deepEqual(renderOrthancPeers([research], "/cas.pem"), {
            OrthancPeers: { research: { Url: research.url, Username: "pacs-forwarder", Password: "${ORTHANC_PEER_RESEARCH_PASSWORD}" } },
            OrthancPeersInDatabase: false,
            HttpsVerifyPeers: true,
            HttpsCACertificates: SYSTEM_CA_BUNDLE,
        });
    });

    it("verifies peers against their own CAs when they name them (one file), else the system's", () => {
        const peers = [{ ...research, caCertificate: CA }, { ...research, name: "other", caCertificate: CA }];
        assert.equal(renderOrthancPeers(peers, "/cas.pem").HttpsCACertificates, "/cas.pem");
        assert.equal(renderPeerCaBundle(peers), CA, "the same CA once");
        assert.equal(renderPeerCaBundle([research]), undefined);
        const config = renderDeployedOrthancConfig({ ...input, peers });
        assert.equal(config.HttpsCACertificates, `${ORTHANC_MOUNTS.config}/peer-cas.pem`);
        assert.equal(config.HttpsVerifyPeers, true);
    });

    it("without peers or forwarding: no peer, no Lua script, system CAs, StableAge pinned, one ConfigMap file", () => {
        const config = renderDeployedOrthancConfig(input);
        assert.deepEqual([config.OrthancPeers, config.LuaScripts, config.StableAge, config.ExecuteLuaEnabled], [{}, [], 60, false]);
        assert.equal(config.HttpsCACertificates, SYSTEM_CA_BUNDLE);
        assert.deepEqual(Object.keys(renderDeployedOrthancFiles(input)), ["orthanc.json"]);
    });

    it("loads the forwarding script from the configuration folder, keeps remote Lua off, and renders StableAge", () => {
        const files = renderDeployedOrthancFiles({ ...input, peers: [{ ...research, caCertificate: CA }], forwarding: [toResearch], stableAgeSeconds: 5 });
        assert.deepEqual(Object.keys(files).sort(), ["forwarding.lua", "orthanc.json", "peer-cas.pem"]);
        const config = JSON.parse(files["orthanc.json"]);
        assert.deepEqual([config.LuaScripts, config.ExecuteLuaEnabled, config.StableAge], [[`${ORTHANC_MOUNTS.config}/forwarding.lua`], false, 5]);
        assert.ok(!files["orthanc.json"].includes("forwarder\":\"") && !/Password":"[^$]/.test(files["orthanc.json"]), "no password value in orthanc.json");
    });

    it("the script sends every stable study asynchronously to each target, one failure not stopping the next", () => {
        const script = renderForwardingScript([toResearch, toTeaching])!;
        assert.match(script, /^function OnStableStudy\(studyId, tags, metadata\)$/m);
        assert.match(script, /"\/peers\/" \.\. "research" \.\. "\/store",\n {4}"\/modalities\/" \.\. "teaching-pacs" \.\. "\/store",/);
        assert.match(script, /DumpJson\(\{ Resources = \{ studyId \}, Synchronous = false \}, true\)/);
        assert.match(script, /pcall\(RestApiPost, target, body, false\)/);
        assert.equal(renderForwardingScript([]), undefined);
    });

    it("refuses to put a hostile name into the script, even one that validation never let through", () => {
        for (const hostile of [`x" .. os.execute("id") .. "`, "x]]", "a\nb", "", "Research", "-x"]) {
            assert.throws(() => luaName(hostile), /refusing .* in a Lua script/, JSON.stringify(hostile));
            assert.throws(() => renderForwardingScript([{ target: { kind: "peer", name: hostile }, trigger: "stable-study" }]), /refusing/);
        }
        assert.equal(luaName("teaching-pacs-2"), '"teaching-pacs-2"');
    });

    it("the pod projects the extra files, gets one password variable per peer from the peers Secret, and rolls when a file changes", () => {
        const base = {
            name: "pacstack-orthanc",
            namespace: "pacstack",
            image: "orthanc:1",
            replicas: 1,
            resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
            configJson: "{}\n",
            configMapName: "pacstack-orthanc-config",
            credentialsSecretName: "pacstack-orthanc-credentials",
            dicomTlsSecretName: "dicom-tls",
            httpsTlsSecretName: "https-tls",
            databasePasswordSecret: { name: "db", key: "password" },
            storage: { claimName: "storage", size: "1Gi", accessMode: "ReadWriteOnce" as const },
        };
        const extra = { "forwarding.lua": "-- a", "peer-cas.pem": CA };
        const deployment = renderOrthancDeployment({ ...base, extraConfigFiles: extra, peerPasswords: { secretName: "pacstack-orthanc-peers", peers: ["research", "archive-2"] } });
        const pod = deployment.spec.template.spec;
        const items = (pod.volumes[0] as any).projected.sources[0].configMap.items.map((i: { key: string }) => i.key);
        assert.deepEqual(items, ["orthanc.json", "forwarding.lua", "peer-cas.pem"]);
        const env = pod.containers[0].env.filter((e) => e.name.startsWith("ORTHANC_PEER_"));
        assert.deepEqual(env, [
            { name: "ORTHANC_PEER_RESEARCH_PASSWORD", valueFrom: { secretKeyRef: { key: "research", name: "pacstack-orthanc-peers" } } },
            { name: "ORTHANC_PEER_ARCHIVE_2_PASSWORD", valueFrom: { secretKeyRef: { key: "archive-2", name: "pacstack-orthanc-peers" } } },
        ]);
        const checksum = (d: typeof deployment) => d.spec.template.metadata.annotations["pacstack.io/config-checksum"];
        assert.equal(checksum(renderOrthancDeployment(base)), configChecksum("{}\n"), "without extra files, the checksum of orthanc.json as before");
        assert.notEqual(checksum(deployment), checksum(renderOrthancDeployment({ ...base, extraConfigFiles: { ...extra, "peer-cas.pem": "other" } })));
    });
});
