import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseForwarding, parsePeers } from "../../components/config/peers";
import { validatePlatformConfig } from "../../components/config/validate";
import { problemsOf, valid } from "./problems";

/** A self-signed certificate made with openssl: a CA (basicConstraints CA:TRUE) or a plain leaf. */
function certificate(ca: boolean): string {
    const dir = mkdtempSync(join(tmpdir(), "pacstack-peers-test-"));
    try {
        const extension = ca ? "basicConstraints=critical,CA:TRUE" : "basicConstraints=critical,CA:FALSE";
        execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key"), "-out", join(dir, "crt"), "-days", "2", "-subj", "/CN=test", "-addext", extension], {
            stdio: "ignore",
        });
        return readFileSync(join(dir, "crt"), "utf8");
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

const SECRET = "s3cret-Passw0rd!";
const research = { name: "research", url: "https://research.hospital.org/orthanc", username: "pacs-forwarder", password: SECRET };
const teaching = { name: "teaching-pacs", aeTitle: "TEACH", allow: ["echo"], destination: { host: "teach.hospital.org", port: 11112 } };

describe("config: Orthanc peers and forwarding", () => {
    let caPem: string;
    let leafPem: string;
    before(() => {
        caPem = certificate(true);
        leafPem = certificate(false);
    });

    it("reads peers under orthanc (URL ending with /, password kept, CA optional) and forwarding to a peer and a TLS modality", () => {
        const config = validatePlatformConfig({
            ...valid,
            modalities: [teaching],
            orthanc: { peers: [research, { ...research, name: "archive-2", password: undefined, url: "https://archive2.example.org:8443/" }], forwarding: [{ peer: "research" }, { modality: "teaching-pacs", when: "stable-study" }], stableAgeSeconds: 5 },
        });
        assert.deepEqual(config.orthanc.peers, [
            { name: "research", url: "https://research.hospital.org/orthanc/", username: "pacs-forwarder", password: SECRET },
            { name: "archive-2", url: "https://archive2.example.org:8443/", username: "pacs-forwarder" },
        ]);
        assert.deepEqual(config.orthanc.forwarding, [
            { target: { kind: "peer", name: "research" }, trigger: "stable-study" },
            { target: { kind: "modality", name: "teaching-pacs" }, trigger: "stable-study" },
        ]);
        assert.equal(config.orthanc.stableAgeSeconds, 5);
        const defaults = validatePlatformConfig(valid);
        assert.deepEqual([defaults.orthanc.peers, defaults.orthanc.forwarding, defaults.orthanc.stableAgeSeconds], [[], [], 60]);
    });

    it("reads the settings as Pulumi hands them over (the group as JSON text)", () => {
        const config = validatePlatformConfig({ ...valid, orthanc: JSON.stringify({ peers: [research], forwarding: [{ peer: "research" }] }) });
        assert.equal(config.orthanc.forwarding.length, 1);
    });

    it("refuses a peer that is not HTTPS, carries credentials or a query in its URL, or has a bad name or user", () => {
        const cases: Array<[Record<string, unknown>, RegExp]> = [
            [{ url: "http://research.hospital.org/" }, /orthanc\.peers\[0\]\.url = "http:\/\/research\.hospital\.org\/": must be an https:\/\/ URL/],
            [{ url: "https://user:pw@research.hospital.org/" }, /peers\[0\]\.url = .*without credentials/],
            [{ url: "https://research.hospital.org/?x=1" }, /peers\[0\]\.url/],
            [{ url: "research.hospital.org" }, /peers\[0\]\.url/],
            [{ name: "Research" }, /peers\[0\]\.name = "Research": must be a lowercase DNS label/],
            [{ username: "a:b" }, /peers\[0\]\.username = "a:b": must be 1-64 printable ASCII characters without :/],
            [{ colour: "blue" }, /peers\[0\] = .*unknown key\(s\) colour; allowed are name, url, username, password, caCertificate/],
        ];
        for (const [change, expected] of cases) {
            const found = problemsOf({ ...valid, orthanc: { peers: [{ ...research, ...change }] } });
            assert.equal(found.length, 1, `${JSON.stringify(change)}: ${found.join("\n")}`);
            assert.match(found[0], expected);
        }
    });

    it("never shows a password in a message, also for a typo in the group or a misplaced flat key", () => {
        const messages = [
            ...problemsOf({ ...valid, orthanc: { peers: [{ ...research, url: "http://x.org/" }] } }),
            ...problemsOf({ ...valid, orthanc: { peer: [research] } }),
            ...problemsOf({ ...valid, orthancPeers: [research] }),
            ...problemsOf({ ...valid, orthanc: { peers: [{ ...research, password: 'with"quote' }] } }),
        ];
        assert.equal(messages.length, 4, messages.join("\n"));
        for (const message of messages) assert.ok(!message.includes(SECRET) && !message.includes("quote"), message);
        assert.match(messages[1], /pacstack:orthanc\.peer = .*unknown field.*did you mean pacstack:orthanc\.peers\?/);
        assert.match(messages[2], /pacstack:orthancPeers = .*unknown setting.*did you mean pacstack:orthanc\.peers\?/);
        assert.match(messages[3], /peers\[0\]\.password = "\[secret\]": must be 8-128 printable ASCII characters without ", \\ and \$\{/);
        for (const hostile of ["pw${ORTHANC_DB_PASSWORD}x", "short", "tab\there-x", "x".repeat(129)]) {
            assert.match(problemsOf({ ...valid, orthanc: { peers: [{ ...research, password: hostile }] } }).join("\n"), /peers\[0\]\.password = "\[secret\]"/, hostile);
        }
        assert.equal(validatePlatformConfig({ ...valid, orthanc: { peers: [{ ...research, password: "p4$s'{w}#rd:;<>%20" }] } }).orthanc.peers.length, 1);
    });

    it("refuses peer names given twice, and a CA for some peers but not others (Orthanc has one CA file)", () => {
        assert.match(problemsOf({ ...valid, orthanc: { peers: [research, research] } }).join("\n"), /the name\(s\) research appear more than once/);
        const mixed = problemsOf({ ...valid, orthanc: { peers: [{ ...research, caCertificate: caPem }, { ...research, name: "other" }] } });
        assert.match(mixed.join("\n"), /research name a caCertificate and other do not; .* give every peer its caCertificate or none/);
        assert.match(problemsOf({ ...valid, orthanc: { peers: [{ ...research, caCertificate: leafPem }] } }).join("\n"), /caCertificate: must be the PEM of one CA certificate/);
        assert.match(problemsOf({ ...valid, orthanc: { peers: [{ ...research, caCertificate: "not a pem" }] } }).join("\n"), /caCertificate: must be the PEM/);
        assert.equal(parsePeers([{ ...research, caCertificate: caPem }], "orthanc.peers").peers[0].caCertificate, caPem.trim() + "\n");
    });

    it("refuses forwarding to unknown targets, to a modality without a DICOM TLS destination, twice to one target", () => {
        const peers = parsePeers([research], "orthanc.peers").peers;
        const plain = { name: "plain-pacs", aeTitle: "PLAIN", allow: [], destination: { host: "p.org", port: 104, tls: false } };
        const noDestination = { name: "ct", aeTitle: "CT", allow: ["store" as const] };
        const modalities = [{ ...plain, allow: [] }, noDestination];
        const cases: Array<[unknown, RegExp]> = [
            [[{ peer: "nowhere" }], /orthanc\.forwarding\[0\]\.peer = "nowhere": must be one of the peers \(research\)/],
            [[{ modality: "nowhere" }], /forwarding\[0\]\.modality = "nowhere": is not a configured modality; allowed are modalities with a destination and tls: true \(none\)/],
            [[{ modality: "plain-pacs" }], /forwarding\[0\]\.modality = "plain-pacs": has no DICOM TLS destination; forwarding sends over DICOM TLS only/],
            [[{ modality: "ct" }], /forwarding\[0\]\.modality = "ct": has no DICOM TLS destination/],
            [[{ peer: "research", modality: "ct" }], /forwarding\[0\] = .*must name exactly one target/],
            [[{}], /must name exactly one target/],
            [[{ peer: "research", when: "every-instance" }], /forwarding\[0\]\.when = "every-instance": must be one of stable-study/],
            [[{ peer: "research" }, { peer: "research" }], /peer research appear\(s\) more than once/],
            ["research", /orthanc\.forwarding = "research": must be a list/],
        ];
        for (const [raw, expected] of cases) {
            const parsed = parseForwarding(raw, "orthanc.forwarding", peers, modalities);
            assert.deepEqual(parsed.rules, [], JSON.stringify(raw));
            assert.match(parsed.problems.join("\n"), expected);
        }
        assert.match(problemsOf({ ...valid, orthanc: { forwarding: [{ peer: "research" }] } }).join("\n"), /must be one of the peers \(none configured in orthanc\.peers\)/);
        assert.match(problemsOf({ ...valid, orthanc: { stableAgeSeconds: 0 } }).join("\n"), /orthanc\.stableAgeSeconds = 0: must be an integer from 1 to 3600/);
    });

    it("refuses a hostile target name before it could reach the Lua script", () => {
        const hostile = `x" .. os.execute("id") .. "`;
        const found = problemsOf({ ...valid, orthanc: { peers: [{ ...research, name: hostile }], forwarding: [{ peer: hostile }] } });
        assert.match(found.join("\n"), /peers\[0\]\.name = .*must be a lowercase DNS label/);
    });
});
