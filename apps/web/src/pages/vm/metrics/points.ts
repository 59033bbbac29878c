import type { MetricsRange } from '@virtweb/protocol';
import type { ChartData } from '../../../components/charts/TimeSeriesChart.tsx';

export const RANGE_MS: Record<MetricsRange, number> = {
  '5m': 5 * 60_000,
  '1h': 60 * 60_000,
  '24h': 24 * 60 * 60_000,
  '7d': 7 * 24 * 60 * 60_000,
};

/**
 * The fetched history followed by the live points newer than its last one, cut to the window ending at the
 * newest point: a chart that streams without refetching.
 */
export function mergeLive<P extends { at: number }>(
  base: readonly P[],
  live: readonly P[],
  windowMs: number,
): P[] {
  const lastAt = base.at(-1)?.at ?? -Infinity;
  const merged = [...base, ...live.filter((p) => p.at > lastAt)];
  const newest = merged.at(-1)?.at;
  if (newest === undefined) return merged;
  const cutoff = newest - windowMs;
  let start = 0;
  while (start < merged.length && (merged[start]?.at ?? Infinity) < cutoff) start++;
  return start === 0 ? merged : merged.slice(start);
}

/**
 * The spacing of a series: `stepSec` between points, except before `minuteUntil` (ms), where the points are
 * minute averages (the 1h range right after a server restart).
 */
export interface Steps {
  stepSec: number;
  minuteUntil?: number | undefined;
}

/** Seconds between points at time `at` (ms). */
const stepAt = ({ stepSec, minuteUntil }: Steps, at: number): number =>
  minuteUntil !== undefined && at < minuteUntil ? 60 : stepSec;

/**
 * Chart columns from points: x in seconds, one column per field. Where samples are missing for longer
 * than three steps (the guest was stopped), a row of nulls breaks the line instead of bridging the gap.
 */
export function toColumns<P extends { at: number }>(
  points: readonly P[],
  fields: readonly ((p: P) => number | null | undefined)[],
  steps: number | Steps,
): ChartData {
  const spacing = typeof steps === 'number' ? { stepSec: steps } : steps;
  const xs: number[] = [];
  const ys = fields.map((): (number | null)[] => []);
  let prevAt: number | undefined;
  for (const p of points) {
    const stepSec = prevAt === undefined ? spacing.stepSec : stepAt(spacing, prevAt);
    if (prevAt !== undefined && p.at - prevAt > 3 * stepSec * 1000) {
      xs.push((prevAt + stepSec * 1000) / 1000);
      for (const col of ys) col.push(null);
    }
    xs.push(p.at / 1000);
    fields.forEach((f, i) => ys[i]?.push(f(p) ?? null));
    prevAt = p.at;
  }
  return [xs, ...ys];
}
