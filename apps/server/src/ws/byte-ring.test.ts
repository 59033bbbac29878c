import { describe, expect, it } from 'vitest';
import { ByteRing } from './byte-ring.ts';

/** Deterministic pseudo-random numbers (xorshift), so a failure replays. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('ByteRing', () => {
  it('hands out the whole ring when empty and reuses it after release', () => {
    const ring = new ByteRing(1024);
    const a = ring.writable();
    expect(a.length).toBe(1024);
    a.fill(7, 0, 100);
    const chunk = ring.filled(100);
    expect([...chunk.subarray(0, 3)]).toEqual([7, 7, 7]);
    expect(ring.used).toBe(100);
    expect(ring.writable().length).toBe(924);
    ring.filled(0);
    ring.release(chunk);
    expect(ring.used).toBe(0);
    expect(ring.writable().length).toBe(1024);
  });

  it('merges adjacent chunks and releases them as one', () => {
    const ring = new ByteRing(1024);
    ring.writable();
    const a = ring.filled(10);
    ring.writable();
    const b = ring.filled(20);
    expect(ring.adjacent(a, b)).toBe(true);
    const ab = ring.merge(a, b);
    expect(ab.length).toBe(30);
    expect(ab.byteOffset).toBe(a.byteOffset);
    ring.release(ab);
    expect(ring.used).toBe(0);
  });

  it('wraps to the start when there is more room there, and spills when full', () => {
    const ring = new ByteRing(1000, 16);
    ring.writable();
    const a = ring.filled(600);
    ring.writable();
    const b = ring.filled(350); // 50 left at the end
    ring.release(a); // 600 free at the start
    const w = ring.writable();
    expect(w.byteOffset - a.byteOffset).toBe(0);
    expect(w.length).toBe(600);
    const c = ring.filled(600);
    expect(ring.adjacent(b, c)).toBe(false);
    const spill = ring.writable(); // head met tail: full
    expect(spill.length).toBe(16);
    expect(spill.buffer).not.toBe(a.buffer);
    const s = ring.filled(16);
    expect(ring.used).toBe(350 + 600 + 16);
    ring.release(b);
    ring.release(c);
    ring.release(s);
    expect(ring.used).toBe(0);
  });

  it('keeps every byte intact through random reads, merges and in-order releases', () => {
    const rand = rng(42);
    const ring = new ByteRing(4096, 64);
    let written = 0;
    let checked = 0;
    let wrong = 0;
    let pending = 0;
    const inFlight: Buffer[] = [];
    for (let step = 0; step < 20_000; step++) {
      if (rand() < 0.55) {
        const region = ring.writable();
        const n = Math.min(region.length, 1 + Math.floor(rand() * 700));
        for (let i = 0; i < n; i++) region[i] = (written + i) & 0xff;
        written += n;
        pending += n;
        const chunk = ring.filled(n);
        const last = inFlight.at(-1);
        if (last && rand() < 0.5 && ring.adjacent(last, chunk))
          inFlight[inFlight.length - 1] = ring.merge(last, chunk);
        else inFlight.push(chunk);
      } else {
        const chunk = inFlight.shift();
        if (!chunk) continue;
        for (const byte of chunk) if (byte !== (checked++ & 0xff)) wrong++;
        pending -= chunk.length;
        ring.release(chunk);
      }
      if (ring.used !== pending) throw new Error(`step ${step}: used ${ring.used}, expected ${pending}`);
    }
    expect(wrong).toBe(0);
    expect(checked).toBeGreaterThan(100_000);
  });
});
