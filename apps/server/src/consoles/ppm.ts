/** An 8-bit RGB image: `rgb` holds width * height * 3 bytes, rows top to bottom. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Buffer;
}

/** A file that is not a binary (P6) PPM we can read. */
export class PpmError extends Error {
  override name = 'PpmError';
}

const MAX_SIDE = 16_384;

/**
 * Parses a binary PPM (P6), the format of qemu's `screendump`: header tokens separated by whitespace, `#`
 * comments, one whitespace byte after maxval, then the samples (1 byte each, or 2 big-endian bytes when
 * maxval > 255; both are scaled to 0..255).
 * @throws PpmError for anything else, a truncated file or absurd dimensions.
 */
export function parsePpm(data: Buffer): RgbImage {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < data.length && isSpace(data[pos] ?? 0)) pos++;
      if (data[pos] !== 0x23) break; // '#': a comment runs to the end of the line
      while (pos < data.length && data[pos] !== 0x0a && data[pos] !== 0x0d) pos++;
    }
    const start = pos;
    while (pos < data.length && !isSpace(data[pos] ?? 0) && data[pos] !== 0x23) pos++;
    return data.toString('latin1', start, pos);
  };
  const integer = (what: string, max: number): number => {
    const t = token();
    const n = /^\d{1,6}$/.test(t) ? Number(t) : NaN;
    if (!(n >= 1 && n <= max)) throw new PpmError(`bad PPM ${what}: ${JSON.stringify(t.slice(0, 16))}`);
    return n;
  };
  const magic = token();
  if (magic !== 'P6') throw new PpmError(`not a binary PPM (magic ${JSON.stringify(magic.slice(0, 8))})`);
  const width = integer('width', MAX_SIDE);
  const height = integer('height', MAX_SIDE);
  const maxval = integer('maxval', 65_535);
  if (!isSpace(data[pos] ?? 0)) throw new PpmError('bad PPM: no whitespace after maxval');
  pos += 1;
  const bytesPerSample = maxval > 255 ? 2 : 1;
  const samples = width * height * 3;
  if (data.length - pos < samples * bytesPerSample) {
    throw new PpmError(
      `truncated PPM: ${width}x${height} needs ${samples * bytesPerSample} bytes of samples`,
    );
  }
  if (maxval === 255) return { width, height, rgb: data.subarray(pos, pos + samples) };
  const rgb = Buffer.allocUnsafe(samples);
  for (let i = 0; i < samples; i++) {
    const v = bytesPerSample === 2 ? data.readUInt16BE(pos + 2 * i) : (data[pos + i] ?? 0);
    rgb[i] = Math.round((Math.min(v, maxval) * 255) / maxval);
  }
  return { width, height, rgb };
}

function isSpace(b: number): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0b || b === 0x0c;
}
