import { describe, expect, it } from 'vitest';
import { parsePpm, PpmError } from './ppm.ts';

const ppm = (header: string, samples: number[]): Buffer =>
  Buffer.concat([Buffer.from(header, 'latin1'), Buffer.from(samples)]);

describe('parsePpm', () => {
  it("reads qemu's screendump header and samples", () => {
    const img = parsePpm(ppm('P6\n2 1\n255\n', [1, 2, 3, 250, 251, 252]));
    expect(img).toMatchObject({ width: 2, height: 1 });
    expect([...img.rgb]).toEqual([1, 2, 3, 250, 251, 252]);
  });

  it('skips comments and any whitespace between header tokens', () => {
    const img = parsePpm(ppm('P6 # made by hand\n# another\n1\t1\r\n255 ', [9, 8, 7]));
    expect([...img.rgb]).toEqual([9, 8, 7]);
  });

  it('keeps a sample byte that looks like whitespace right after the header', () => {
    expect([...parsePpm(ppm('P6\n1 1\n255\n', [0x0a, 0x20, 0x23])).rgb]).toEqual([0x0a, 0x20, 0x23]);
  });

  it('scales other maxvals, 8- and 16-bit, to 0..255', () => {
    expect([...parsePpm(ppm('P6\n1 1\n15\n', [0, 15, 5])).rgb]).toEqual([0, 255, 85]);
    expect([...parsePpm(ppm('P6\n1 1\n65535\n', [0, 0, 0xff, 0xff, 0x80, 0x00])).rgb]).toEqual([0, 255, 128]);
  });

  it('ignores bytes after the image', () => {
    expect(parsePpm(ppm('P6\n1 1\n255\n', [1, 2, 3, 4, 5])).rgb.length).toBe(3);
  });

  it.each([
    ['another format', 'P5\n1 1\n255\n', [0]],
    ['ASCII PPM', 'P3\n1 1\n255\n1 2 3\n', []],
    ['a truncated file', 'P6\n2 2\n255\n', [1, 2, 3]],
    ['a zero width', 'P6\n0 1\n255\n', []],
    ['an absurd size', 'P6\n99999 1\n255\n', []],
    ['a non-number', 'P6\nx 1\n255\n', []],
    ['a missing maxval', 'P6\n1 1', []],
    ['an empty file', '', []],
  ])('refuses %s', (_what, header, samples) => {
    expect(() => parsePpm(ppm(header, samples))).toThrow(PpmError);
  });
});
