import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePng, PNG_SIGNATURE } from './png.ts';

interface Chunk {
  type: string;
  data: Buffer;
  crcOk: boolean;
}

/** Splits a PNG into its chunks, checking every CRC with zlib's own implementation. */
function chunks(png: Buffer): Chunk[] {
  const out: Chunk[] = [];
  for (let pos = 8; pos < png.length;) {
    const len = png.readUInt32BE(pos);
    const typeAndData = png.subarray(pos + 4, pos + 8 + len);
    out.push({
      type: typeAndData.subarray(0, 4).toString('latin1'),
      data: typeAndData.subarray(4),
      crcOk: png.readUInt32BE(pos + 8 + len) === zlib.crc32(typeAndData),
    });
    pos += 12 + len;
  }
  return out;
}

/** Undoes the filters of an 8-bit RGB image (None, Sub, Up: what an encoder of screens would use). */
function unfilter(raw: Buffer, width: number, height: number): number[] {
  const stride = width * 3;
  const out: number[] = [];
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x]!;
      const left = x < 3 ? 0 : out[y * stride + x - 3]!;
      const up = y === 0 ? 0 : out[(y - 1) * stride + x]!;
      if (filter === 0) out.push(v);
      else if (filter === 1) out.push((v + left) & 0xff);
      else if (filter === 2) out.push((v + up) & 0xff);
      else throw new Error(`unexpected filter ${filter}`);
    }
  }
  return out;
}

describe('crc32', () => {
  it('gives the check value of the standard', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.from('1234'), Buffer.from('56789'))).toBe(0xcbf43926);
    expect(crc32()).toBe(0);
  });
});

describe('encodePng', () => {
  it('writes signature, IHDR, IDAT, IEND with valid CRCs, and the pixels round-trip', async () => {
    const width = 5;
    const height = 3;
    const rgb = Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 256));
    const png = await encodePng({ width, height, rgb });
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    const parts = chunks(png);
    expect(parts.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(parts.every((c) => c.crcOk)).toBe(true);
    const ihdr = parts[0]!.data;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ...ihdr.subarray(8)]).toEqual([5, 3, 8, 2, 0, 0, 0]);
    expect(unfilter(zlib.inflateSync(parts[1]!.data), width, height)).toEqual([...rgb]);
    expect(parts[2]!.data.length).toBe(0);
  });

  it('encodes a fixed image to the recorded bytes', async () => {
    // Recorded when the encoder computed CRCs with its own table; taking them from zlib changes no byte.
    const golden =
      'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAGUlEQVR4nGNktymcDwOMzTveIjj/TTLhHACNmBVBM5TFVAAAAABJRU5ErkJggg==';
    const width = 4;
    const height = 3;
    const rgb = Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 53 + 7) % 256));
    expect((await encodePng({ width, height, rgb })).toString('base64')).toBe(golden);
  });

  it('compresses a flat screen to almost nothing', async () => {
    const rgb = Buffer.alloc(720 * 400 * 3, 0xaa);
    expect((await encodePng({ width: 720, height: 400, rgb })).length).toBeLessThan(2000);
  });

  it('refuses too few bytes for the size', async () => {
    await expect(encodePng({ width: 2, height: 2, rgb: Buffer.alloc(11) })).rejects.toThrow(RangeError);
  });
});
