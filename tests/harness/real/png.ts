import { inflateSync } from "node:zlib";

export interface GrayImage {
    width: number;
    height: number;
    bitDepth: 8 | 16;
    /** Sample values, row by row. */
    samples: number[];
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Decodes a non-interlaced grayscale PNG (8 or 16 bits), the form Orthanc renders frames in. Throws on anything else. */
export function decodeGrayPng(png: Buffer): GrayImage {
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
    if (!header || header.colorType !== 0 || header.interlace !== 0 || (header.bitDepth !== 8 && header.bitDepth !== 16)) {
        throw new Error(`unsupported PNG ${JSON.stringify(header)}`);
    }
    const bytesPerPixel = header.bitDepth / 8;
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
    const pixels = Buffer.concat(rows);
    const samples: number[] = [];
    for (let i = 0; i < pixels.length; i += bytesPerPixel) samples.push(bytesPerPixel === 2 ? pixels.readUInt16BE(i) : pixels[i]);
    return { width: header.width, height: header.height, bitDepth: header.bitDepth as 8 | 16, samples };
}
