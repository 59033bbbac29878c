import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { MetricPoint, MetricsRange } from '@virtweb/protocol';
import { DEFAULT_KEEP_MS, useLiveVm } from '../../../queries/liveMetrics.ts';
import { isLiveRange, vmMetricsQuery } from '../../../queries/metrics.ts';
import { mergeLive, RANGE_MS } from './points.ts';

const NONE: readonly MetricPoint[] = [];

/**
 * A guest's points over `range`: fetched once, then streamed from the live store for 5m/1h (the store keeps
 * the whole hour while a 1h chart is shown); minute averages refetched every minute for 24h/7d.
 */
export function useVmMetrics(id: string, range: MetricsRange) {
  const query = useQuery(vmMetricsQuery(id, range));
  const live = isLiveRange(range);
  const livePoints = useLiveVm(id, range === '1h' ? RANGE_MS['1h'] : DEFAULT_KEEP_MS);
  const streamed = live ? livePoints : NONE;
  const base = query.data?.points;
  const points = useMemo(
    () => (base === undefined ? undefined : live ? mergeLive(base, streamed, RANGE_MS[range]) : base),
    [base, streamed, live, range],
  );
  return {
    query,
    points,
    stepSec: query.data?.step ?? (live ? 1 : 60),
    /** 1h after a server restart: before this time (ms) the points are minute averages. */
    minuteUntil: query.data?.minuteUntil,
    netNote: query.data?.netNote,
  };
}
