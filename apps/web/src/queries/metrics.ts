import { queryOptions } from '@tanstack/react-query';
import type { MetricsRange } from '@virtweb/protocol';
import { getHostMetrics, getVmMetrics, type HostRange } from '../api/metrics.ts';

export const metricsKeys = {
  vm: (id: string, range: MetricsRange) => ['metrics', 'vm', id, range] as const,
  host: (range: HostRange) => ['metrics', 'host', range] as const,
};

/** Ranges served from the live ring (1 s points): fetched once, then the events socket appends. */
export const isLiveRange = (range: MetricsRange): boolean => range === '5m' || range === '1h';

/**
 * A guest's history. 5m/1h are fetched once per mount (live points are appended from the events socket);
 * 24h/7d are minute averages that change once a minute, so they refetch every minute instead.
 */
export const vmMetricsQuery = (id: string, range: MetricsRange) =>
  queryOptions({
    queryKey: metricsKeys.vm(id, range),
    queryFn: () => getVmMetrics(id, range),
    staleTime: isLiveRange(range) ? 0 : 60_000,
    gcTime: 0,
    refetchOnWindowFocus: false,
    refetchInterval: isLiveRange(range) ? false : 60_000,
  });

/** The host's history (live ring only); live points are appended from the events socket. */
export const hostMetricsQuery = (range: HostRange) =>
  queryOptions({
    queryKey: metricsKeys.host(range),
    queryFn: () => getHostMetrics(range),
    staleTime: 0,
    gcTime: 0,
    refetchOnWindowFocus: false,
  });
