import assert from "node:assert/strict";
import { parseModalities } from "../../components/config/modalities";
import { PlatformConfigError, validatePlatformConfig } from "../../components/config/validate";

const ARCHIVES = ["ORTHANC", "DCM4CHEE"];
const workstation = { name: "ws-1", aeTitle: "WS1", allow: ["find", "move", "get", "echo"], destination: { host: "ws1.hospital.org", port: 11112 } };

function problems(raw: unknown): string[] {
    const parsed = parseModalities(raw, ARCHIVES);
    assert.deepEqual(parsed.modalities, [], "nothing is returned when a problem is found");
    return parsed.problems;
}

describe("config: modalities with AE titles, rights and destinations", () => {
    it("keeps a plain name as before: a certificate, store and echo, no AE title", () => {
        assert.deepEqual(parseModalities(["ct-scanner"], ARCHIVES), { modalities: [{ name: "ct-scanner", allow: ["store", "echo"] }], problems: [] });
    });

    it("reads an object entry: rights in a fixed order, TLS to the destination by default, store and echo when allow is absent", () => {
        const { modalities, problems: found } = parseModalities([{ ...workstation, allow: ["get", "echo", "find", "move"] }, { name: "ct-2", aeTitle: "CT2" }], ARCHIVES);
        assert.deepEqual(found, []);
        assert.deepEqual(modalities, [
            { name: "ws-1", aeTitle: "WS1", allow: ["find", "move", "get", "echo"], destination: { host: "ws1.hospital.org", port: 11112, tls: true } },
            { name: "ct-2", aeTitle: "CT2", allow: ["store", "echo"] },
        ]);
        assert.equal(parseModalities([{ ...workstation, destination: { ...workstation.destination, tls: false } }], ARCHIVES).modalities[0].destination?.tls, false);
    });

    it("gives a validated stack both the names (certificates) and the access list", () => {
        const config = validatePlatformConfig({ platform: "minikube", domain: "pacs.example.org", modalities: JSON.stringify(["ct-scanner", workstation]) });
        assert.deepEqual(config.modalities, ["ct-scanner", "ws-1"]);
        assert.deepEqual(config.modalityAccess.map((m) => m.aeTitle), [undefined, "WS1"]);
    });

    it("refuses each bad entry with its position, value and what is allowed", () => {
        const cases: Array<[unknown, RegExp]> = [
            [[{ name: "ws-1" }], /modalities\[0\]\.aeTitle = undefined: must be 1-16 characters/],
            [[{ ...workstation, aeTitle: "A TITLE TOO LONG FOR DICOM" }], /modalities\[0\]\.aeTitle = "A TITLE TOO LONG FOR DICOM"/],
            [[{ ...workstation, allow: ["find", "delete"] }], /modalities\[0\]\.allow = \["find","delete"\]: must be a list of distinct rights from store, find, move, get, echo/],
            [[{ ...workstation, allow: ["find", "find"] }], /distinct rights/],
            [[{ ...workstation, allow: "find" }], /allow = "find"/],
            [[{ ...workstation, destination: { host: "ws1; rm -rf /", port: 11112 } }], /destination\.host = "ws1; rm -rf \/": must be a host name/],
            [[{ ...workstation, destination: { host: "ws1", port: 70000 } }], /destination\.port = 70000: must be an integer from 1 to 65534/],
            [[{ ...workstation, destination: { host: "ws1", port: 104, tls: "yes" } }], /destination\.tls = "yes"/],
            [[{ ...workstation, destination: { host: "ws1", port: 104, user: "x" } }], /unknown key\(s\) user/],
            [[{ ...workstation, rights: ["find"] }], /unknown key\(s\) rights; allowed are name, aeTitle, allow, destination/],
            [[42], /modalities\[0\] = 42: must be a name or an object/],
            [[workstation, { ...workstation, name: "ws-2" }], /AE title\(s\) WS1 appear more than once/],
            [[workstation, { ...workstation, aeTitle: "WS2" }], /name\(s\) ws-1 appear more than once/],
            [[{ ...workstation, aeTitle: "ORTHANC" }], /AE title\(s\) ORTHANC belong to an archive/],
        ];
        for (const [raw, expected] of cases) {
            const found = problems(raw);
            assert.equal(found.length, 1, `${JSON.stringify(raw)}: ${found.join("\n")}`);
            assert.match(found[0], /^pacstack:modalities/);
            assert.match(found[0], expected);
        }
    });

    it("stops the whole configuration, naming the entry", () => {
        assert.throws(
            () => validatePlatformConfig({ platform: "minikube", domain: "pacs.example.org", modalities: JSON.stringify([{ name: "ws", aeTitle: "WS", allow: ["admin"] }]) }),
            (e: unknown) => e instanceof PlatformConfigError && e.problems.length === 1 && /modalities\[0\]\.allow/.test(e.problems[0]),
        );
    });
});
