import { describe, expect, it } from 'vitest';
import { ViewOnlyRfbFilter } from './rfb-view-only.ts';

const handshake = Buffer.concat([Buffer.from('RFB 003.008\n', 'latin1'), Buffer.from([1]), Buffer.from([1])]);
const setEncodings = Buffer.from([2, 0, 0, 2, 0, 0, 0, 7, 0xff, 0xff, 0xff, 0x21]);
const updateRequest = Buffer.from([3, 1, 0, 0, 0, 0, 3, 0x20, 2, 0x58]);
const pixelFormat = Buffer.concat([Buffer.from([0, 0, 0, 0]), Buffer.alloc(16, 1)]);
const key = Buffer.from([4, 1, 0, 0, 0, 0, 0, 0x61]);
const pointer = Buffer.from([5, 1, 0, 10, 0, 20]);
const cut = (text: string) => {
  const head = Buffer.from([6, 0, 0, 0, 0, 0, 0, 0]);
  head.writeUInt32BE(text.length, 4);
  return Buffer.concat([head, Buffer.from(text, 'latin1')]);
};

describe('ViewOnlyRfbFilter', () => {
  it('passes the handshake and the requests for pixels; drops keys, pointer and clipboard', () => {
    const f = new ViewOnlyRfbFilter();
    const all = Buffer.concat([
      handshake,
      setEncodings,
      key,
      pixelFormat,
      pointer,
      cut('secret'),
      updateRequest,
    ]);
    expect(f.filter(all)).toEqual(Buffer.concat([handshake, setEncodings, pixelFormat, updateRequest]));
  });

  it('keeps its place across chunks split anywhere, byte by byte', () => {
    const f = new ViewOnlyRfbFilter();
    const all = Buffer.concat([handshake, key, setEncodings, cut('ab'), pointer, updateRequest]);
    const out: Buffer[] = [];
    for (const byte of all) {
      const got = f.filter(Buffer.from([byte]));
      expect(typeof got).not.toBe('string');
      if (typeof got !== 'string') out.push(got);
    }
    expect(Buffer.concat(out)).toEqual(Buffer.concat([handshake, setEncodings, updateRequest]));
  });

  it('skips a long clipboard text as it arrives instead of buffering it', () => {
    const f = new ViewOnlyRfbFilter();
    f.filter(handshake);
    const big = cut('x'.repeat(100_000));
    expect(f.filter(big.subarray(0, 50_000))).toEqual(Buffer.alloc(0));
    expect(f.filter(Buffer.concat([big.subarray(50_000), updateRequest]))).toEqual(updateRequest);
  });

  it('RFB 3.3 has no security byte from the client', () => {
    const f = new ViewOnlyRfbFilter();
    const v33 = Buffer.concat([Buffer.from('RFB 003.003\n', 'latin1'), Buffer.from([1])]);
    expect(f.filter(Buffer.concat([v33, key, updateRequest]))).toEqual(Buffer.concat([v33, updateRequest]));
  });

  it("refuses qemu's extension messages and unknown types (their length is unknown)", () => {
    const f = new ViewOnlyRfbFilter();
    f.filter(handshake);
    expect(f.filter(Buffer.from([255, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 30]))).toMatch(/type 255/);
  });
});
