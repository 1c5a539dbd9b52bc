import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { requireBinary, requireFile } from "./binaries";
import { newUid } from "./synthetic";

/** JPEG 2000 Image Compression (Lossless Only). */
export const JPEG2000_LOSSLESS = "1.2.840.10008.1.2.4.90";

export interface Jpeg2000Instance {
    file: string;
    studyUid: string;
    seriesUid: string;
    sopUid: string;
    rows: number;
    columns: number;
    /** The 12-bit pixel values the codestream encodes, row by row. */
    pixels: number[];
}

/** A pattern with edges and every bit of 12 in use, so a decoder that loses or shifts anything shows it. */
function pattern(rows: number, columns: number): number[] {
    const values: number[] = [];
    for (let y = 0; y < rows; y++) {
        for (let x = 0; x < columns; x++) values.push(((x * 61 + y * 37) ^ (x * y)) & 0x0fff);
    }
    return values;
}

// Wraps a JPEG 2000 codestream as the single fragment of an encapsulated CT image (PS3.5 A.4), with pydicom.
const WRAP = `
import sys
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian
codestream, out, syntax, study, series, sop, rows, columns = sys.argv[1:9]
meta = FileMetaDataset()
meta.MediaStorageSOPClassUID = CTImageStorage
meta.MediaStorageSOPInstanceUID = sop
meta.TransferSyntaxUID = syntax
meta.ImplementationClassUID = "1.2.826.0.1.3680043.10.1455.2"
ds = Dataset()
ds.file_meta = meta
ds.SOPClassUID = CTImageStorage
ds.SOPInstanceUID = sop
ds.StudyInstanceUID = study
ds.SeriesInstanceUID = series
ds.PatientID = "J2K0001"
ds.PatientName = "JPEG2000^TEST"
ds.Modality = "CT"
ds.StudyDate = "20250102"
ds.SeriesNumber = 1
ds.InstanceNumber = 1
ds.SamplesPerPixel = 1
ds.PhotometricInterpretation = "MONOCHROME2"
ds.Rows = int(rows)
ds.Columns = int(columns)
ds.BitsAllocated = 16
ds.BitsStored = 12
ds.HighBit = 11
ds.PixelRepresentation = 0
ds.PixelData = encapsulate([open(codestream, "rb").read()])
ds["PixelData"].VR = "OB"
ds["PixelData"].is_undefined_length = True
ds.is_little_endian = True
ds.is_implicit_VR = False
ds.save_as(out, write_like_original=False)
`;

/**
 * Writes a CT instance whose pixel data is a lossless JPEG 2000 codestream: the pixels are written as a 16-bit PGM,
 * compressed by OpenJPEG's opj_compress (Debian libopenjp2-tools) and wrapped by pydicom (python3-pydicom).
 * Generated here, nothing downloaded.
 */
export function writeJpeg2000Instance(dir: string, rows = 64, columns = 48): Jpeg2000Instance {
    mkdirSync(dir, { recursive: true });
    const pixels = pattern(rows, columns);
    const header = Buffer.from(`P5\n${columns} ${rows}\n4095\n`, "latin1");
    const body = Buffer.alloc(2 * pixels.length);
    pixels.forEach((value, i) => body.writeUInt16BE(value, 2 * i));
    const pgm = join(dir, "pixels.pgm");
    const codestream = join(dir, "pixels.j2k");
    writeFileSync(pgm, Buffer.concat([header, body]));
    // No -r / -q option: OpenJPEG's default is the reversible 5/3 wavelet, i.e. lossless.
    execFileSync(requireBinary("opj_compress"), ["-i", pgm, "-o", codestream], { stdio: "pipe" });
    const instance = { file: join(dir, "j2k.dcm"), studyUid: newUid(), seriesUid: newUid(), sopUid: newUid(), rows, columns, pixels };
    const args = [codestream, instance.file, JPEG2000_LOSSLESS, instance.studyUid, instance.seriesUid, instance.sopUid, String(rows), String(columns)];
    // Debian's python3, which python3-pydicom installs into (a python3 earlier on PATH may not have it).
    execFileSync(requireFile("/usr/bin/python3"), ["-c", WRAP, ...args], { stdio: "pipe" });
    return instance;
}
