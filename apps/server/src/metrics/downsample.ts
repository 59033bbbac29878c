import type { MetricPoint, NicRate } from '@virtweb/protocol';

type AveragedKey = 'cpu' | 'rss' | 'mem' | 'diskRd' | 'diskWr' | 'diskRdOps' | 'diskWrOps';

/**
 * Folds 1 s points into one point: the average of every rate and size, the highest CPU as `cpuMax`, net rates
 * averaged only when every point could measure them. `at` is the start of the bucket.
 */
export function summarize(points: readonly MetricPoint[], at: number): MetricPoint | null {
  if (points.length === 0) return null;
  const n = points.length;
  const avg = (key: AveragedKey): number => points.reduce((s, p) => s + p[key], 0) / n;
  const netKnown = points.every((p) => p.netRx !== null && p.netTx !== null);
  const avgNet = (key: 'netRx' | 'netTx' | 'netRxPkts' | 'netTxPkts') =>
    points.reduce((s, p) => s + (p[key] ?? 0), 0) / n;
  const nics = averageNics(points);
  return {
    at,
    cpu: avg('cpu'),
    cpuMax: Math.max(...points.map((p) => p.cpuMax ?? p.cpu)),
    rss: avg('rss'),
    mem: avg('mem'),
    diskRd: avg('diskRd'),
    diskWr: avg('diskWr'),
    diskRdOps: avg('diskRdOps'),
    diskWrOps: avg('diskWrOps'),
    netRx: netKnown ? avgNet('netRx') : null,
    netTx: netKnown ? avgNet('netTx') : null,
    ...(netKnown && { netRxPkts: avgNet('netRxPkts'), netTxPkts: avgNet('netTxPkts') }),
    ...(nics.length > 0 && { nics }),
  };
}

/** Each NIC's average over the points that measured it, by slot. */
function averageNics(points: readonly MetricPoint[]): NicRate[] {
  const bySlot = new Map<number, NicRate[]>();
  for (const nic of points.flatMap((p) => p.nics ?? []))
    bySlot.set(nic.slot, [...(bySlot.get(nic.slot) ?? []), nic]);
  return [...bySlot.entries()]
    .sort(([a], [b]) => a - b)
    .map(([slot, rates]) => {
      const avg = (key: 'rx' | 'tx' | 'rxPkts' | 'txPkts') =>
        rates.reduce((s, r) => s + r[key], 0) / rates.length;
      return { slot, rx: avg('rx'), tx: avg('tx'), rxPkts: avg('rxPkts'), txPkts: avg('txPkts') };
    });
}

/** Groups points into buckets of `stepMs` (aligned to the epoch) and summarizes each. */
export function downsample(points: readonly MetricPoint[], stepMs: number): MetricPoint[] {
  const buckets = new Map<number, MetricPoint[]>();
  for (const p of points) {
    const key = Math.floor(p.at / stepMs) * stepMs;
    const bucket = buckets.get(key);
    if (bucket) bucket.push(p);
    else buckets.set(key, [p]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, ps]) => summarize(ps, at))
    .filter((p): p is MetricPoint => p !== null);
}
