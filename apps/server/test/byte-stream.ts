/** A consumer waiting for bytes: either `n` bytes in one buffer, or `left` bytes handed over piecewise. */
type Waiter =
  | { kind: 'read'; n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void }
  | {
      kind: 'skip';
      left: number;
      onBytes: ((b: Buffer) => void) | undefined;
      resolve: () => void;
      reject: (e: Error) => void;
    };

/**
 * An incoming byte stream read with `await read(n)` (small headers, copied only when they straddle chunks)
 * and `await skip(n, onBytes)` (bulk payloads: handed over as subarrays of the received chunks, never copied).
 * One waiter at a time, which is how a protocol parser reads.
 */
export class ByteStream {
  private chunks: Buffer[] = [];
  private head = 0;
  private available = 0;
  private waiter: Waiter | undefined;
  private failure: Error | undefined;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.available += chunk.length;
    this.pump();
  }

  /** No more bytes will come: the pending and every later read fail with `err`. */
  end(err: Error): void {
    this.failure ??= err;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(this.failure);
  }

  read(n: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.wait({ kind: 'read', n, resolve, reject });
    });
  }

  /** Consumes `n` bytes, passing them to `onBytes` as they arrive (subarrays valid during the call). */
  skip(n: number, onBytes?: (b: Buffer) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.wait({ kind: 'skip', left: n, onBytes, resolve, reject });
    });
  }

  private wait(w: Waiter): void {
    if (this.waiter) throw new Error('ByteStream: one reader at a time');
    this.waiter = w;
    this.pump();
    if (this.waiter === w && this.failure) this.end(this.failure);
  }

  private pump(): void {
    const w = this.waiter;
    if (!w) return;
    if (w.kind === 'read') {
      if (this.available < w.n) return;
      this.waiter = undefined;
      w.resolve(this.take(w.n));
      return;
    }
    while (w.left > 0 && this.available > 0) {
      const first = this.chunks[0];
      if (!first) break;
      const n = Math.min(w.left, first.length - this.head);
      w.onBytes?.(first.subarray(this.head, this.head + n));
      this.advance(n);
      w.left -= n;
    }
    if (w.left === 0) {
      this.waiter = undefined;
      w.resolve();
    }
  }

  private take(n: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length - this.head >= n) {
      const out = first.subarray(this.head, this.head + n);
      this.advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0];
      if (!c) throw new Error('ByteStream: accounting error');
      const k = Math.min(n - filled, c.length - this.head);
      c.copy(out, filled, this.head, this.head + k);
      filled += k;
      this.advance(k);
    }
    return out;
  }

  private advance(n: number): void {
    this.available -= n;
    this.head += n;
    const first = this.chunks[0];
    if (first && this.head === first.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}
