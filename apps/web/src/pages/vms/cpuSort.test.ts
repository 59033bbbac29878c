import { describe, expect, it } from 'vitest';
import type { MetricPoint, Vm } from '@virtweb/protocol';
import { recentCpu, sortVms } from './cpuSort.ts';

const point = (cpu: number): MetricPoint => ({
  at: 0,
  cpu,
  rss: 0,
  mem: 0,
  diskRd: 0,
  diskWr: 0,
  diskRdOps: 0,
  diskWrOps: 0,
  netRx: null,
  netTx: null,
});
const vm = (id: string, name: string) => ({ id, name }) as Vm;

describe('sortVms', () => {
  const vms = [vm('1', 'b-idle'), vm('2', 'c-busy'), vm('3', 'a-off')];
  const points: Record<string, MetricPoint[]> = { '1': [point(1), point(3)], '2': [point(90), point(100)] };
  const pointsOf = (id: string) => points[id] ?? [];

  it('keeps the server order when nothing is chosen', () => {
    expect(sortVms(vms, null, pointsOf)).toBe(vms);
  });

  it('puts the busiest guest first and guests without samples last', () => {
    expect(sortVms(vms, 'cpu', pointsOf).map((v) => v.name)).toEqual(['c-busy', 'b-idle', 'a-off']);
  });

  it('sorts by name', () => {
    expect(sortVms(vms, 'name', pointsOf).map((v) => v.name)).toEqual(['a-off', 'b-idle', 'c-busy']);
  });

  it('averages the newest points', () => {
    expect(recentCpu([point(10), point(20), point(30)])).toBe(20);
    expect(recentCpu([])).toBe(-1);
  });
});
