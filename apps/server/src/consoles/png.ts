import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { RgbImage } from './ppm.ts';

const deflate = promisify(zlib.deflate);

/** The 8 bytes every PNG file starts with. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** CRC-32 (ISO 3309, as PNG and zlib use it) over the given buffers in order. */
export function crc32(...parts: Uint8Array[]): number {
  return parts.reduce((crc, part) => zlib.crc32(part, crc), 0);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(head.subarray(4), data), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * Encodes 8-bit RGB as a PNG (colour type 2, no interlace). Each row uses the `Sub` filter (each byte minus
 * the one of the pixel to its left), which suits screens: flat areas become runs of zeros for deflate.
 * Deflate runs on libuv's thread pool, so a large screen does not stall the event loop.
 */
export async function encodePng(img: RgbImage): Promise<Buffer> {
  const { width, height, rgb } = img;
  if (rgb.length < width * height * 3) throw new RangeError(`${width}x${height} RGB needs more bytes`);
  const stride = width * 3;
  const raw = Buffer.allocUnsafe(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const src = y * stride;
    const dst = y * (stride + 1);
    raw[dst] = 1; // filter type Sub
    for (let x = 0; x < stride; x++) {
      const left = x < 3 ? 0 : (rgb[src + x - 3] ?? 0);
      raw[dst + 1 + x] = ((rgb[src + x] ?? 0) - left) & 0xff;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour (RGB)
  // compression 0 (deflate), filter method 0, interlace 0: already zero
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', await deflate(raw, { level: 6 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
