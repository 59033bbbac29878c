/**
 * A ring of bytes that a socket reads straight into and that hands the bytes out as subarrays (no copies),
 * released in the order they were filled once their consumer is done with them. Steady-state streaming
 * allocates nothing: no garbage collection, no page faults on fresh memory.
 *
 * Protocol: `writable()` gives the region the next read may fill, `filled(n)` returns the `n` bytes that read
 * put there, `release(chunk)` frees a chunk obtained from `filled` (in filling order; merged neighbours may
 * be released as one). When the ring is full, `writable()` hands out a separate spill buffer instead.
 */
export class ByteRing {
  readonly capacity: number;
  private readonly buf: Buffer;
  /** Next byte to fill. */
  private head = 0;
  /** Oldest byte not yet released. */
  private tail = 0;
  private ringUsed = 0;
  private spillUsed = 0;
  private targetStart = 0;
  private spill: Buffer | undefined;

  constructor(
    capacity: number,
    private readonly spillBytes = 64 * 1024,
  ) {
    this.capacity = capacity;
    this.buf = Buffer.allocUnsafeSlow(capacity);
  }

  /** Bytes filled and not yet released (spill buffers included). */
  get used(): number {
    return this.ringUsed + this.spillUsed;
  }

  /** The region the next read fills: the larger contiguous free span, or a spill buffer when full. */
  writable(): Buffer {
    if (this.ringUsed === 0) this.head = this.tail = 0;
    let start = this.head;
    let end = this.capacity;
    if (this.ringUsed > 0 && this.head <= this.tail) {
      end = this.head === this.tail ? this.head : this.tail; // wrapped: free up to the oldest byte
    } else if (this.capacity - this.head < this.tail) {
      start = 0; // more room before the oldest byte than after the newest: wrap
      end = this.tail;
    }
    if (end - start === 0) {
      this.spill = Buffer.allocUnsafe(this.spillBytes);
      return this.spill;
    }
    this.spill = undefined;
    this.targetStart = start;
    return this.buf.subarray(start, end);
  }

  /** The `n` bytes the last read put into the region `writable()` gave out. */
  filled(n: number): Buffer {
    if (this.spill) {
      this.spillUsed += n;
      return this.spill.subarray(0, n);
    }
    const chunk = this.buf.subarray(this.targetStart, this.targetStart + n);
    this.head = this.targetStart + n;
    this.ringUsed += n;
    return chunk;
  }

  /** True when `b` directly follows `a` in the ring (so the two can travel as one chunk). */
  adjacent(a: Buffer, b: Buffer): boolean {
    return a.buffer === this.buf.buffer && b.buffer === a.buffer && a.byteOffset + a.length === b.byteOffset;
  }

  /** `a` and `b` (adjacent) as one chunk. */
  merge(a: Buffer, b: Buffer): Buffer {
    const start = a.byteOffset - this.buf.byteOffset;
    return this.buf.subarray(start, start + a.length + b.length);
  }

  release(chunk: Buffer): void {
    if (chunk.buffer !== this.buf.buffer) {
      this.spillUsed -= chunk.length;
      return;
    }
    this.ringUsed -= chunk.length;
    this.tail = chunk.byteOffset - this.buf.byteOffset + chunk.length;
  }
}
