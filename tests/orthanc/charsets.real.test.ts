import assert from "node:assert/strict";
import { join } from "node:path";
import { ModalityAccess } from "../../components/config/modalities";
import { renderDeployedOrthancConfig } from "../../components/orthanc/deployed-config";
import { NamedFile, writeNamedFile } from "../harness/real/charsets";
import { store } from "../harness/real/dicom";
import { ORTHANC_TIER_IDS } from "../harness/real/orthanc-tiers";
import { OrthancStack, startOrthancStack } from "../harness/real/orthanc-stack";
import { PRODUCTION_ORTHANC_INPUT, TEST_MODALITY } from "../harness/real/production";
import { findStudies } from "../harness/real/qr";
import { newUid } from "../harness/real/synthetic";

/**
 * Patient names in every repertoire a hospital meets, written as modalities write them (pydicom encodes them in the
 * declared SpecificCharacterSet, ISO 2022 escape sequences included) and as the same name's UTF-8 bytes with no
 * SpecificCharacterSet (then Orthanc reads them in DefaultEncoding, which pacstack sets to UTF-8). Each is stored
 * over DICOM TLS, then looked up the ways the viewer and modalities look: QIDO-RS with the value percent-encoded as
 * a browser sends it, exact and with a trailing `*`; C-FIND (findscu, asking in ISO_IR 192); and the name in the
 * WADO-RS metadata the viewer reads.
 */
interface NameCase {
    id: string;
    name: string;
    charset: string[];
    /** A wildcard query that must find it (a prefix holding a non-ASCII character, then `*`). */
    wildcard: string;
}
const CASES: NameCase[] = [
    { id: "ascii", name: "Smith^John", charset: [], wildcard: "Smi*" },
    { id: "latin1", name: "Müller^Jürgen", charset: ["ISO_IR 100"], wildcard: "Mül*" },
    { id: "utf8", name: "Gößwein^Zoë", charset: ["ISO_IR 192"], wildcard: "Gößw*" },
    { id: "greek", name: "Διονυσιος^Νίκος", charset: ["ISO_IR 126"], wildcard: "Διον*" },
    { id: "cyrillic", name: "Иванов^Пётр", charset: ["ISO_IR 144"], wildcard: "Иван*" },
    { id: "japanese", name: "Yamada^Tarou=山田^太郎=やまだ^たろう", charset: ["", "ISO 2022 IR 87"], wildcard: "Yamada^Tarou=山田*" },
    { id: "katakana", name: "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", charset: ["ISO 2022 IR 13", "ISO 2022 IR 87"], wildcard: "ﾔﾏﾀﾞ*" },
    { id: "chinese", name: "Wang^XiaoDong=王^小东", charset: ["GB18030"], wildcard: "Wang^XiaoDong=王*" },
    { id: "mixed", name: "Øster-Παπά^Иван=王^小东", charset: ["ISO_IR 192"], wildcard: "Øster-Παπ*" },
];

type Outcome = Record<string, boolean>;
const LEGACY_NAME = "Müller^Jürgen";
const WORKSTATION: ModalityAccess = { name: "workstation", aeTitle: "WS1", allow: ["find", "echo"] };

for (const tierId of ORTHANC_TIER_IDS)
    describe(`character sets of patient names on real Orthanc (${tierId})`, function () {
        this.timeout(120_000);
        let stack: OrthancStack | undefined;
        const files: Array<NamedFile & { case: NameCase; declared: boolean }> = [];
        let legacy: NamedFile | undefined;
        const running = (): OrthancStack => {
            assert.ok(stack, "Orthanc did not start (see before hook)");
            return stack;
        };
        // Short, even-length UIDs: findscu shortens long values when it prints them, and an odd one is padded.
        const shortUid = () => `2.25.${Date.now()}${String(Math.floor(Math.random() * 1e6)).padStart(6, "0")}`.padEnd(26, "0");

        before(async function () {
            this.timeout(15 * 60_000);
            const production = renderDeployedOrthancConfig({ ...PRODUCTION_ORTHANC_INPUT, modalities: [TEST_MODALITY, WORKSTATION] });
            stack = await startOrthancStack({ tierId, production, name: `charsets-${tierId}` });
            const dir = join(stack.work, "names");
            for (const c of CASES)
                for (const declared of [true, false]) {
                    const ids = { patientId: `CS-${c.id}-${declared ? "d" : "u"}-${Date.now() % 1e6}`, studyUid: shortUid(), seriesUid: newUid(), sopUid: newUid() };
                    const undeclared = declared ? undefined : Buffer.from(c.name, "utf8");
                    const file = writeNamedFile(dir, { id: `${c.id}-${declared}`, name: c.name, charset: declared ? c.charset : [], undeclared, ...ids });
                    files.push({ ...file, case: c, declared });
                }
            // A legacy modality's Latin-1 bytes without SpecificCharacterSet (not valid UTF-8, what DefaultEncoding expects).
            legacy = writeNamedFile(dir, { id: "legacy-latin1", name: LEGACY_NAME, charset: [], undeclared: Buffer.from(LEGACY_NAME, "latin1"), patientId: `CS-legacy-${Date.now() % 1e6}`, studyUid: shortUid(), seriesUid: newUid(), sopUid: newUid() });
            const stored = await store(stack.association(), [...files.map((f) => f.file), legacy.file]);
            assert.equal(stored.code, 0, stored.output);
        });
        after(async () => stack?.stop());

        const qido = async (value: string): Promise<string[]> => {
            const answer = await running().orthanc.request(`/dicom-web/studies?PatientName=${encodeURIComponent(value)}`, { headers: { Accept: "application/dicom+json" } });
            assert.equal(answer.status, 200, answer.body.toString());
            return (JSON.parse(answer.body.toString()) as Array<Record<string, { Value?: string[] }>>).map((s) => String(s["0020000D"]?.Value?.[0]));
        };
        const cfind = async (value: string): Promise<string[]> => {
            const a = { ...running().association("WS1") };
            const { result, answers } = await findStudies(a, { SpecificCharacterSet: "ISO_IR 192", PatientName: value });
            assert.equal(result.code, 0, result.output);
            return answers;
        };
        const metadataName = async (studyUid: string): Promise<string> => {
            const answer = await running().orthanc.request(`/dicom-web/studies/${studyUid}/metadata`, { headers: { Accept: "application/dicom+json" } });
            assert.equal(answer.status, 200, answer.body.toString());
            const pn = (JSON.parse(answer.body.toString()) as Array<Record<string, { Value?: Array<Record<string, string>> }>>)[0]["00100010"]?.Value?.[0] ?? {};
            return [pn.Alphabetic ?? "", pn.Ideographic ?? "", pn.Phonetic ?? ""].join("=").replace(/=+$/, "");
        };

        /**
         * What each tier does, and why where it falls short:
         * - Debian 12's DICOMweb 1.7 matches a QIDO-RS value as sent, still percent-encoded (1.24 decodes it): a name
         *   a browser has to encode (any non-ASCII character, and `^` between the name's parts) is never found there;
         *   "Smi*" is.
         * - Both versions misread ISO 2022 IR 13 + IR 87 (half-width katakana, then kanji and hiragana after escape
         *   sequences): the katakana group is right, the kanji and hiragana groups come out as their raw JIS bytes
         *   (";3ED"), so the full name is neither shown nor found; its katakana prefix is still found by wildcard.
         *   The same name in UTF-8 is read right.
         */
        const known = (c: NameCase, declared: boolean): Outcome => {
            const qido = (value: string) => tierId === "sid" || encodeURIComponent(value) === value;
            if (c.id === "katakana" && declared) return { metadata: false, qidoExact: false, qidoWildcard: qido(c.wildcard), cfindExact: false, cfindWildcard: true };
            return { metadata: true, qidoExact: qido(c.name), qidoWildcard: qido(c.wildcard), cfindExact: true, cfindWildcard: true };
        };

        for (const c of CASES)
            for (const declared of [true, false])
                it(`${c.id} ${declared ? `in ${c.charset.join("\\") || "the default repertoire"}` : "in UTF-8 without SpecificCharacterSet"}: metadata, QIDO-RS and C-FIND (exact and wildcard) as known`, async function () {
                    const f = files.find((x) => x.case === c && x.declared === declared);
                    assert.ok(f, "not written (see before hook)");
                    const mine = (uids: string[]) => uids.includes(f.studyUid);
                    const shown = await metadataName(f.studyUid);
                    const outcome: Outcome = {
                        metadata: shown === f.name,
                        qidoExact: mine(await qido(f.name)),
                        qidoWildcard: mine(await qido(c.wildcard)),
                        cfindExact: mine(await cfind(f.name)),
                        cfindWildcard: mine(await cfind(c.wildcard)),
                    };
                    assert.deepEqual(outcome, known(c, declared), `metadata shows ${JSON.stringify(shown)}`);
                });
    
        // The price of DefaultEncoding UTF-8: a legacy modality that writes Latin-1 without declaring it (against the
        // standard) loses its accented letters in what Orthanc shows and indexes (not valid UTF-8, they are dropped);
        // with Orthanc's default Latin-1 every undeclared UTF-8 name above would be garbled instead. Such a modality
        // must be set to send SpecificCharacterSet (ISO_IR 100), which the "latin1" case shows is read right.
        it("Latin-1 bytes without SpecificCharacterSet lose their accented letters (known, both versions)", async function () {
            assert.ok(legacy, "not written (see before hook)");
            assert.equal(await metadataName(legacy.studyUid), "Mller^Jrgen");
        });
});
