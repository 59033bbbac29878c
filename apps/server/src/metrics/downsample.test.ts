import type { MetricPoint } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { downsample, summarize } from './downsample.ts';
import { Ring } from './ring.ts';

const point = (at: number, cpu: number, net: number | null = null): MetricPoint => ({
  at,
  cpu,
  rss: 100,
  mem: 256,
  diskRd: cpu * 10,
  diskWr: 0,
  diskRdOps: 1,
  diskWrOps: 0,
  netRx: net,
  netTx: net,
});

describe('downsampling', () => {
  it('averages rates, keeps the CPU maximum and the bucket start', () => {
    const s = summarize([point(60_001, 10), point(61_000, 30), point(62_000, 50)], 60_000);
    expect(s).toMatchObject({ at: 60_000, cpu: 30, cpuMax: 50, diskRd: 300, rss: 100, netRx: null });
    expect(summarize([], 0)).toBeNull();
  });

  it('averages net rates only when every point measured them', () => {
    expect(summarize([point(0, 1, 10), point(1, 1, 30)], 0)?.netRx).toBe(20);
    expect(summarize([point(0, 1, 10), point(1, 1, null)], 0)?.netRx).toBeNull();
  });

  it('buckets by minute in time order', () => {
    const pts = [point(125_000, 4), point(59_000, 1), point(61_000, 2), point(119_000, 3)];
    expect(downsample(pts, 60_000).map((p) => [p.at, p.cpu])).toEqual([
      [0, 1],
      [60_000, 2.5],
      [120_000, 4],
    ]);
  });
});

describe('Ring', () => {
  it('keeps the newest items and reads them oldest first with a cut-off', () => {
    const r = new Ring<number>(3);
    for (const n of [1, 2, 3, 4, 5]) r.push(n);
    expect(r.size).toBe(3);
    expect(r.newest(() => true)).toEqual([3, 4, 5]);
    expect(r.newest((n) => n >= 4)).toEqual([4, 5]);
  });
});
