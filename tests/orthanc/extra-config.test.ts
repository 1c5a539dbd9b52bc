import assert from "node:assert/strict";
import { validatePlatformConfig } from "../../components/config/validate";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { MANAGED_ORTHANC_KEYS, MAX_EXTRA_CONFIG_BYTES, PINNED_ORTHANC_KEYS, extraConfigProblems, mergeExtraConfig } from "../../components/orthanc/extra-config";
import { problemsOf, valid } from "../config/problems";
import { PRODUCTION_ORTHANC_INPUT } from "../harness/real/production";

/** The value at a dotted key path of a document. */
const at = (document: Record<string, unknown>, path: string): unknown =>
    path.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], document);

describe("orthanc: extra configuration (orthanc.extraConfig)", () => {
    it("is deep-merged last: objects key by key, lists and scalars replaced, the rest of the section kept", () => {
        const config = renderDeployedOrthancConfig({
            ...PRODUCTION_ORTHANC_INPUT,
            plugins: ["explorer2", "gdcm"],
            extraConfig: {
                JobsHistorySize: 30,
                LimitFindResults: 200,
                DicomWeb: { StudiesMetadata: "MainDicomTags" },
                Gdcm: { RestrictTransferSyntaxes: ["1.2.840.10008.1.2.4.90"] },
                OrthancExplorer2: { UiOptions: { EnableShares: false, EnableChangePassword: false } },
            },
        });
        assert.equal(config.JobsHistorySize, 30);
        assert.equal(config.LimitFindResults, 200);
        assert.deepEqual(config.DicomWeb, { Enable: true, Root: "/dicom-web/", EnableWado: true, WadoRoot: "/wado", Host: "pacs.example.org", Ssl: true, StudiesMetadata: "MainDicomTags" });
        assert.deepEqual(config.Gdcm, { Enable: true, Throttling: 4, RestrictTransferSyntaxes: ["1.2.840.10008.1.2.4.90"] });
        assert.deepEqual(config.OrthancExplorer2, { Enable: true, IsDefaultOrthancUI: true, Root: "/ui/", UiOptions: { EnableShares: false, EnableChangePassword: false } });
        // A pinned key given its own value is accepted (and changes nothing).
        assert.deepEqual(extraConfigProblems({ AuthenticationEnabled: true, PostgreSQL: { EnableSsl: true, TransactionMode: "Serializable" } }, "x"), []);
    });

    it("never changes the documents it merges", () => {
        const base = { A: { B: 1, C: [1] } };
        const extra = { A: { C: [2], D: { E: 1 } } };
        const merged = mergeExtraConfig(base, extra);
        assert.deepEqual(merged, { A: { B: 1, C: [2], D: { E: 1 } } });
        (merged.A as { D: { E: number } }).D.E = 9;
        assert.deepEqual(base, { A: { B: 1, C: [1] } });
        assert.deepEqual(extra, { A: { C: [2], D: { E: 1 } } });
    });

    it("refuses every pinned security key set to anything but pacstack's value, naming key, value and what is allowed", () => {
        for (const [path, { value }] of Object.entries(PINNED_ORTHANC_KEYS)) {
            const other = typeof value === "boolean" ? !value : "other";
            const nested = path.split(".").reduceRight<unknown>((inner, key) => ({ [key]: inner }), other) as Record<string, unknown>;
            const problems = extraConfigProblems(nested, "pacstack:orthanc.extraConfig");
            assert.deepEqual(problems.length, 1, path);
            assert.ok(problems[0].startsWith(`pacstack:orthanc.extraConfig.${path} = ${JSON.stringify(other)}: only ${JSON.stringify(value)} is allowed (`), problems[0]);
            // and the rendered value stays pacstack's
            assert.deepEqual(at(renderDeployedOrthancConfig(PRODUCTION_ORTHANC_INPUT), path), value, path);
        }
    });

    it("refuses the keys pacstack sets itself, saying where they are set", () => {
        for (const path of Object.keys(MANAGED_ORTHANC_KEYS)) {
            const nested = path.split(".").reduceRight<unknown>((inner, key) => ({ [key]: inner }), 1) as Record<string, unknown>;
            const [problem, ...more] = extraConfigProblems(nested, "e");
            assert.equal(more.length, 0, path);
            assert.match(problem, new RegExp(`^e\\.${path.replace(".", "\\.")} = 1: pacstack sets this key \\(.+\\)$`));
        }
        const [users] = problemsOf({ ...valid, orthanc: { extraConfig: { RegisteredUsers: { eve: "x" } } } });
        assert.match(users, /^pacstack:orthanc\.extraConfig\.RegisteredUsers = \{"eve":"x"\}: pacstack sets this key \(credentials live in a Secret/);
    });

    it("refuses replacing a section that holds pacstack's keys with something that is not an object", () => {
        assert.deepEqual(extraConfigProblems({ PostgreSQL: "off" }, "e"), [
            "e.PostgreSQL = \"off\": must be an object (pacstack's PostgreSQL section is merged key by key, and some of its keys are pacstack's)",
        ]);
        assert.match(extraConfigProblems({ DicomWeb: [] }, "e")[0], /^e\.DicomWeb = \[\]: must be an object/);
    });

    it("refuses secrets (a string under a secret-looking name, at any depth) without echoing them", () => {
        const problems = extraConfigProblems(
            { SomePlugin: { remote: { Url: "https://peer", Password: "hunter2" } }, Tokens: { Token: "abc" }, AwsS3Storage: { SecretKey: "k" } },
            "e",
        );
        assert.equal(problems.length, 3);
        assert.ok(problems.every((p) => /= "\[hidden\]": looks like a secret/.test(p) && !/hunter2|abc|"k"/.test(p)), problems.join("\n"));
        // A key pacstack sets is refused with its value shown, but never a secret inside it.
        const managed = extraConfigProblems({ OrthancPeers: { remote: { Url: "https://peer", Password: "hunter2" } } }, "e");
        assert.deepEqual(managed, ['e.OrthancPeers = {"remote":{"Url":"https://peer","Password":"[hidden]"}}: pacstack sets this key (set pacstack:orthanc.peers (their passwords come from a Secret))']);
        // Booleans and numbers under such names are settings, not secrets.
        assert.deepEqual(extraConfigProblems({ OrthancExplorer2: { UiOptions: { EnableChangePassword: false } }, TokenValidity: 3 }, "e"), []);
    });

    it("refuses hostile documents: not an object, null, prototype keys, oversized", () => {
        assert.deepEqual(extraConfigProblems([], "e"), ["e = []: must be an object of Orthanc configuration keys"]);
        assert.match(extraConfigProblems({ JobsHistorySize: null }, "e")[0], /^e\.JobsHistorySize = null: give the value itself/);
        const proto = JSON.parse('{"__proto__": {"AuthenticationEnabled": false}, "a": {"constructor": {}}}');
        assert.deepEqual(extraConfigProblems(proto, "e"), ['e.__proto__: the key "__proto__" is not allowed', 'e.a.constructor: the key "constructor" is not allowed']);
        const big = { Huge: "x".repeat(MAX_EXTRA_CONFIG_BYTES) };
        assert.match(extraConfigProblems(big, "e")[0], /^e: \d+ bytes as JSON; at most 65536 are allowed/);
    });

    it("is validated with the stack: one message per bad key, from Pulumi's JSON text too, nothing accepted", () => {
        const problems = problemsOf({ ...valid, orthanc: JSON.stringify({ extraConfig: { AuthenticationEnabled: false, DicomTlsEnabled: false, JobsHistorySize: 5 } }) });
        assert.deepEqual(problems, [
            "pacstack:orthanc.extraConfig.AuthenticationEnabled = false: only true is allowed (every REST and DICOMweb call must carry credentials)",
            "pacstack:orthanc.extraConfig.DicomTlsEnabled = false: only true is allowed (DICOM is served over TLS only)",
        ]);
        assert.deepEqual(validatePlatformConfig({ ...valid, orthanc: { extraConfig: { JobsHistorySize: 5 } } }).orthanc.extraConfig, { JobsHistorySize: 5 });
        assert.deepEqual(validatePlatformConfig(valid).orthanc.extraConfig, {});
        assert.deepEqual(problemsOf({ ...valid, orthanc: { extraConfig: "JobsHistorySize=5" } }), ['pacstack:orthanc.extraConfig = "JobsHistorySize=5": must be an object']);
    });

    it("the renderer holds a program that skips validation to the same rules", () => {
        assert.throws(
            () => renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, extraConfig: { ExecuteLuaEnabled: true } }),
            /extraConfig\.ExecuteLuaEnabled = true: only false is allowed/,
        );
    });
});
