import { crc32, deflateSync, inflateSync } from "node:zlib";

export interface GrayImage {
    width: number;
    height: number;
    bitDepth: 8 | 16;
    /** Sample values, row by row. */
    samples: number[];
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface RgbImage {
    width: number;
    height: number;
    /** 8-bit samples, R, G, B per pixel, row by row. */
    rgb: Buffer;
}

/** Decodes a non-interlaced grayscale PNG (8 or 16 bits), the form Orthanc renders frames in. Throws on anything else. */
export function decodeGrayPng(png: Buffer): GrayImage {
    const { header, pixels } = decodePng(png, 0);
    const bytesPerPixel = header.bitDepth / 8;
    const samples: number[] = [];
    for (let i = 0; i < pixels.length; i += bytesPerPixel) samples.push(bytesPerPixel === 2 ? pixels.readUInt16BE(i) : pixels[i]);
    return { width: header.width, height: header.height, bitDepth: header.bitDepth as 8 | 16, samples };
}

/** Decodes a non-interlaced 8-bit RGB PNG (the form the WSI plugin serves uncompressed tiles in). */
export function decodeRgbPng(png: Buffer): RgbImage {
    const { header, pixels } = decodePng(png, 2);
    if (header.bitDepth !== 8) throw new Error(`unsupported RGB PNG bit depth ${header.bitDepth}`);
    return { width: header.width, height: header.height, rgb: pixels };
}

/** An 8-bit RGB PNG of the image (no filtering): test input for tools that read PNG. */
export function encodeRgbPng(image: RgbImage): Buffer {
    const chunk = (type: string, data: Buffer) => {
        const length = Buffer.alloc(4);
        length.writeUInt32BE(data.length);
        const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(body));
        return Buffer.concat([length, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(image.width, 0);
    header.writeUInt32BE(image.height, 4);
    header.set([8, 2, 0, 0, 0], 8);
    const stride = image.width * 3;
    const rows: Buffer[] = [];
    for (let y = 0; y < image.height; y++) rows.push(Buffer.from([0]), image.rgb.subarray(y * stride, (y + 1) * stride));
    return Buffer.concat([SIGNATURE, chunk("IHDR", header), chunk("IDAT", deflateSync(Buffer.concat(rows))), chunk("IEND", Buffer.alloc(0))]);
}

function decodePng(png: Buffer, colorType: 0 | 2): { header: { width: number; height: number; bitDepth: number }; pixels: Buffer } {
    if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error(`not a PNG: ${png.subarray(0, 16).toString("hex")}`);
    let offset = 8;
    let header: { width: number; height: number; bitDepth: number; colorType: number; interlace: number } | undefined;
    const data: Buffer[] = [];
    while (offset < png.length) {
        const length = png.readUInt32BE(offset);
        const type = png.toString("latin1", offset + 4, offset + 8);
        const chunk = png.subarray(offset + 8, offset + 8 + length);
        if (type === "IHDR") {
            header = { width: chunk.readUInt32BE(0), height: chunk.readUInt32BE(4), bitDepth: chunk[8], colorType: chunk[9], interlace: chunk[12] };
        } else if (type === "IDAT") {
            data.push(chunk);
        }
        offset += 12 + length;
    }
    if (!header || header.colorType !== colorType || header.interlace !== 0 || (header.bitDepth !== 8 && header.bitDepth !== 16)) {
        throw new Error(`unsupported PNG ${JSON.stringify(header)}`);
    }
    const bytesPerPixel = (header.bitDepth / 8) * (colorType === 2 ? 3 : 1);
    const stride = header.width * bytesPerPixel;
    const raw = inflateSync(Buffer.concat(data));
    const rows: Buffer[] = [];
    let previous = Buffer.alloc(stride);
    for (let y = 0; y < header.height; y++) {
        const filter = raw[y * (stride + 1)];
        const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
        for (let i = 0; i < stride; i++) {
            const left = i >= bytesPerPixel ? line[i - bytesPerPixel] : 0;
            const up = previous[i];
            const upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
            const paeth = () => {
                const p = left + up - upLeft;
                const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
                return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
            };
            const predictor = [0, left, up, (left + up) >> 1, filter === 4 ? paeth() : 0][filter];
            if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`);
            line[i] = (line[i] + predictor) & 0xff;
        }
        rows.push(line);
        previous = line;
    }
    return { header, pixels: Buffer.concat(rows) };
}
