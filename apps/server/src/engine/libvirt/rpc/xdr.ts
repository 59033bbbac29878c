// XDR (RFC 4506), the encoding of libvirt's remote protocol: big-endian 4-byte units, strings and opaques
// padded to a multiple of 4, optional data as a 0/1 flag before it.

/** A malformed or oversized XDR message from the daemon. */
export class XdrError extends Error {
  override name = 'XdrError';
}

/** libvirt's REMOTE_STRING_MAX: no string of the protocol is longer. */
const STRING_MAX = 4 * 1024 * 1024;

const pad = (n: number): number => (4 - (n % 4)) % 4;

export class XdrWriter {
  private readonly parts: Buffer[] = [];

  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.parts.push(b);
    return this;
  }

  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v | 0);
    this.parts.push(b);
    return this;
  }

  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(v);
    this.parts.push(b);
    return this;
  }

  /** Variable-length opaque data (its length first). */
  opaque(data: Buffer): this {
    this.u32(data.length);
    return this.fixed(data);
  }

  /** Fixed-length opaque data (a UUID): no length, only the padding. */
  fixed(data: Buffer): this {
    this.parts.push(data, Buffer.alloc(pad(data.length)));
    return this;
  }

  string(s: string): this {
    return this.opaque(Buffer.from(s, 'utf8'));
  }

  /** An optional value: absent as 0, present as 1 and the value. */
  optional<T>(v: T | undefined, write: (w: this, v: T) => void): this {
    if (v === undefined) return this.u32(0);
    this.u32(1);
    write(this, v);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

export class XdrReader {
  private off = 0;

  constructor(private readonly buf: Buffer) {}

  private take(n: number): Buffer {
    if (n < 0 || this.off + n > this.buf.length) throw new XdrError('XDR message ends early');
    const out = this.buf.subarray(this.off, this.off + n);
    this.off += n;
    return out;
  }

  u32(): number {
    return this.take(4).readUInt32BE();
  }

  i32(): number {
    return this.take(4).readInt32BE();
  }

  u64(): bigint {
    return this.take(8).readBigUInt64BE();
  }

  i64(): bigint {
    return this.take(8).readBigInt64BE();
  }

  double(): number {
    return this.take(8).readDoubleBE();
  }

  opaque(max = STRING_MAX): Buffer {
    const n = this.u32();
    if (n > max) throw new XdrError(`XDR item of ${n} bytes is over the limit of ${max}`);
    const out = this.take(n);
    this.take(pad(n));
    return out;
  }

  fixed(n: number): Buffer {
    const out = this.take(n);
    this.take(pad(n));
    return out;
  }

  string(): string {
    return this.opaque().toString('utf8');
  }

  optional<T>(read: (r: this) => T): T | undefined {
    const flag = this.u32();
    if (flag > 1) throw new XdrError(`XDR optional flag ${flag} is neither 0 nor 1`);
    return flag === 1 ? read(this) : undefined;
  }

  /** A variable-length array (its count first), at most `max` items. */
  array<T>(read: (r: this) => T, max = 65536): T[] {
    const n = this.u32();
    if (n > max) throw new XdrError(`XDR array of ${n} items is over the limit of ${max}`);
    return Array.from({ length: n }, () => read(this));
  }

  get remaining(): number {
    return this.buf.length - this.off;
  }

  /** What is left, unread (a stream packet's bytes). */
  rest(): Buffer {
    return this.take(this.remaining);
  }
}
