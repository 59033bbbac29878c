import type { MetricPoint } from '@virtweb/protocol';

/** A guest's metric point for tests: time and CPU as given, the rest fixed. */
export const testPoint = (at: number, cpu: number): MetricPoint => ({
  at,
  cpu,
  rss: 1,
  mem: 2,
  diskRd: 0,
  diskWr: 0,
  diskRdOps: 0,
  diskWrOps: 0,
  netRx: null,
  netTx: null,
});
