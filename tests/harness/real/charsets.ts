import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { requireFile } from "./binaries";

/** One patient name as a modality writes it: in which character set, declared or not. */
export interface NamedFile {
    file: string;
    /** SpecificCharacterSet (0008,0005) values written; empty: the element is absent. */
    charset: string[];
    /** The name as Unicode (what a viewer must show). */
    name: string;
    /** The bytes of PatientName in the file. */
    bytes: Buffer;
    patientId: string;
    studyUid: string;
}

// A minimal Secondary Capture instance (no pixels needed: only the patient and study are queried), written by
// pydicom, which encodes PatientName in the declared character set (ISO 2022 escape sequences included). With
// `raw` (hex), PatientName is written as exactly those bytes and SpecificCharacterSet is left out.
const WRITE = `
import sys, binascii
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian
out, charset, name, raw, pid, study, series, sop = sys.argv[1:9]
sc = "1.2.840.10008.5.1.4.1.1.7"
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = sc
meta.MediaStorageSOPInstanceUID = sop
meta.TransferSyntaxUID = ExplicitVRLittleEndian
meta.ImplementationClassUID = "1.2.826.0.1.3680043.10.1455.3"
ds = Dataset()
ds.file_meta = meta
if charset:
    ds.SpecificCharacterSet = charset.split("\\\\") if "\\\\" in charset else charset
ds.SOPClassUID = sc
ds.SOPInstanceUID = sop
ds.StudyInstanceUID = study
ds.SeriesInstanceUID = series
ds.PatientID = pid
ds.Modality = "OT"
ds.StudyDate = "20260101"
ds.StudyID = "1"
ds.SeriesNumber = 1
ds.InstanceNumber = 1
if raw:
    ds.add_new(0x00100010, "PN", "Q" * len(binascii.unhexlify(raw)))
else:
    ds.PatientName = name
ds.is_little_endian = True
ds.is_implicit_VR = False
ds.save_as(out, write_like_original=False)
if raw:
    data = open(out, "rb").read()
    placeholder = b"Q" * len(binascii.unhexlify(raw))
    assert data.count(placeholder) == 1
    open(out, "wb").write(data.replace(placeholder, binascii.unhexlify(raw)))
from pydicom import dcmread
ds = dcmread(out)
sys.stdout.write(binascii.hexlify(ds.PatientName.original_string).decode())
`;

/**
 * Writes `name` into a new DICOM file: encoded in `charset` (declared in SpecificCharacterSet) or, with
 * `undeclared`, as exactly those bytes without SpecificCharacterSet. Returns the bytes PatientName holds in the file.
 */
export function writeNamedFile(dir: string, options: { id: string; name: string; charset: string[]; undeclared?: Buffer; patientId: string; studyUid: string; seriesUid: string; sopUid: string }): NamedFile {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${options.id}.dcm`);
    // Debian's python3, which python3-pydicom installs into (a python3 earlier on PATH may not have it).
    const args = [file, options.charset.join("\\"), options.name, options.undeclared?.toString("hex") ?? "", options.patientId, options.studyUid, options.seriesUid, options.sopUid];
    const hex = execFileSync(requireFile("/usr/bin/python3"), ["-c", WRITE, ...args], { encoding: "utf8" });
    const bytes = Buffer.from(hex, "hex");
    return { file, charset: options.charset, name: options.name, bytes, patientId: options.patientId, studyUid: options.studyUid };
}
