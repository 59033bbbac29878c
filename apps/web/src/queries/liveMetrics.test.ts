import { describe, expect, it } from 'vitest';
import type { MetricPoint, MetricsTick } from '@virtweb/protocol';
import { DEFAULT_KEEP_MS, LiveMetricsStore } from './liveMetrics.ts';

const point = (at: number): MetricPoint => ({
  at,
  cpu: 1,
  rss: 1,
  mem: 1,
  diskRd: 0,
  diskWr: 0,
  diskRdOps: 0,
  diskWrOps: 0,
  netRx: null,
  netTx: null,
});
const tick = (at: number, ids: string[]): MetricsTick => ({
  type: 'metrics.tick',
  host: { at, cpu: 5, cpus: 2, memTotal: 100, memUsed: 50, load1: 0.1 },
  vms: ids.map((id) => ({ id, point: point(at) })),
});

describe('LiveMetricsStore', () => {
  it('keeps the last minutes per guest and replaces only the arrays that changed', () => {
    const store = new LiveMetricsStore();
    store.push(tick(1000, ['a', 'b']));
    const b = store.vm('b');
    store.push(tick(2000, ['a']));
    expect(store.vm('a').map((p) => p.at)).toEqual([1000, 2000]);
    expect(store.vm('b')).toBe(b);
    expect(store.hostPoints()).toHaveLength(2);
  });

  it('drops points older than the window, and a stopped guest once its tail is out of it', () => {
    const store = new LiveMetricsStore();
    store.push(tick(0, ['a', 'gone']));
    store.push(tick(DEFAULT_KEEP_MS + 1000, ['a']));
    expect(store.vm('a').map((p) => p.at)).toEqual([DEFAULT_KEEP_MS + 1000]);
    expect(store.vm('gone')).toEqual([]);
  });

  it('keeps a longer window while retained', () => {
    const store = new LiveMetricsStore();
    const release = store.retain('a', 3_600_000);
    store.push(tick(0, ['a']));
    store.push(tick(DEFAULT_KEEP_MS + 1000, ['a']));
    expect(store.vm('a')).toHaveLength(2);
    release();
    store.push(tick(DEFAULT_KEEP_MS + 2000, ['a']));
    expect(store.vm('a')).toHaveLength(2);
  });

  it('tells subscribers once per tick', () => {
    const store = new LiveMetricsStore();
    let calls = 0;
    const stop = store.subscribe(() => calls++);
    store.push(tick(0, []));
    stop();
    store.push(tick(1000, []));
    expect(calls).toBe(1);
    expect(store.lastTick()?.host.at).toBe(1000);
  });
});
