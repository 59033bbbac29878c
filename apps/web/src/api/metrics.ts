import { z } from 'zod';
import {
  HostPointSchema,
  VmMetricsSchema,
  type HostPoint,
  type MetricsRange,
  type VmMetrics,
} from '@virtweb/protocol';
import { requestJson } from './http.ts';

/** The ranges the host keeps (only the live ring: no stored history for the host). */
export type HostRange = '5m' | '1h';

const HostPointsSchema = z.array(HostPointSchema);

/** A guest's samples over `range`: 1 s points for 5m/1h, stored minute averages (with max) for 24h/7d. */
export function getVmMetrics(id: string, range: MetricsRange): Promise<VmMetrics> {
  return requestJson('GET', `/api/vms/${encodeURIComponent(id)}/metrics?range=${range}`, VmMetricsSchema);
}

export function getHostMetrics(range: HostRange): Promise<HostPoint[]> {
  return requestJson('GET', `/api/host/metrics?range=${range}`, HostPointsSchema);
}
