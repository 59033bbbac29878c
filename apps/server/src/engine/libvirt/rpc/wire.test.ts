import { describe, expect, it } from 'vitest';
import { decodeError, encodePacket, MessageStatus, MessageType, PacketDecoder, Program } from './wire.ts';
import { XdrError, XdrReader, XdrWriter } from './xdr.ts';

describe('XDR', () => {
  it('pads strings and opaques to 4 bytes and reads back what it wrote', () => {
    const buf = new XdrWriter()
      .u32(7)
      .i32(-1)
      .u64(2n ** 40n)
      .string('abcde')
      .fixed(Buffer.from([1, 2]))
      .optional('x', (w, v) => w.string(v))
      .optional(undefined, (w, v: string) => w.string(v))
      .toBuffer();
    expect(buf.length).toBe(4 + 4 + 8 + (4 + 8) + 4 + (4 + 4 + 4) + 4);
    const r = new XdrReader(buf);
    expect([r.u32(), r.i32(), r.u64(), r.string()]).toEqual([7, -1, 2n ** 40n, 'abcde']);
    expect([...r.fixed(2)]).toEqual([1, 2]);
    expect(r.optional((x) => x.string())).toBe('x');
    expect(r.optional((x) => x.string())).toBeUndefined();
    expect(r.remaining).toBe(0);
  });

  it('refuses a message that ends early, an oversized item and a bad optional flag', () => {
    expect(() => new XdrReader(Buffer.from([0, 0, 0, 9, 1])).string()).toThrow(XdrError);
    expect(() => new XdrReader(new XdrWriter().u32(5).toBuffer()).opaque(4)).toThrow(/over the limit/);
    expect(() => new XdrReader(new XdrWriter().u32(2).toBuffer()).optional((x) => x.u32())).toThrow(/flag/);
    expect(() => new XdrReader(new XdrWriter().u32(70_000).toBuffer()).array((x) => x.u32())).toThrow(
      /items/,
    );
  });
});

describe('packets', () => {
  const header = {
    program: Program.remote,
    version: 1,
    procedure: 273,
    type: MessageType.reply,
    serial: 9,
    status: MessageStatus.ok,
  };

  it('frames a packet with its total length and splits a stream into packets, however it is cut', () => {
    const one = encodePacket(header, Buffer.from([1, 2, 3, 4]));
    const two = encodePacket({ ...header, serial: 10 }, Buffer.alloc(0));
    expect(one.readUInt32BE(0)).toBe(one.length);
    const stream = Buffer.concat([one, two]);
    const d = new PacketDecoder();
    const got = [...stream].flatMap((byte) => d.push(Buffer.from([byte])));
    expect(got.map((p) => [p.header.serial, [...p.body]])).toEqual([
      [9, [1, 2, 3, 4]],
      [10, []],
    ]);
  });

  it('refuses a length no packet has', () => {
    expect(() => new PacketDecoder().push(Buffer.from([0, 0, 0, 3, 0, 0, 0, 0]))).toThrow(XdrError);
    expect(() => new PacketDecoder().push(Buffer.from([0x7f, 0, 0, 0]))).toThrow(XdrError);
  });

  it("reads libvirt's error: its code, domain and message", () => {
    const body = new XdrWriter()
      .i32(42)
      .i32(10)
      .optional("Domain not found: no domain with matching name 'x'", (w, v) => w.string(v))
      .toBuffer();
    const err = decodeError(body);
    expect([err.code, err.domain, err.message]).toEqual([
      42,
      10,
      "Domain not found: no domain with matching name 'x'",
    ]);
    expect(decodeError(Buffer.alloc(2)).message).toMatch(/unreadable/);
  });
});
