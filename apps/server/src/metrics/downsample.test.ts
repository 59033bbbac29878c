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

  it('averages packets and each NIC by slot, over the points that measured it', () => {
    const nic = (slot: number, rx: number) => ({ slot, rx, tx: rx / 2, rxPkts: rx / 100, txPkts: 0 });
    const a = { ...point(0, 1, 100), netRxPkts: 4, netTxPkts: 2, nics: [nic(0, 100)] };
    const b = { ...point(1, 1, 300), netRxPkts: 8, netTxPkts: 0, nics: [nic(0, 200), nic(2, 100)] };
    const s = summarize([a, b], 0);
    expect([s?.netRxPkts, s?.netTxPkts]).toEqual([6, 1]);
    expect(s?.nics).toEqual([nic(0, 150), nic(2, 100)]);
    expect(summarize([point(0, 1)], 0)?.nics).toBeUndefined();
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
