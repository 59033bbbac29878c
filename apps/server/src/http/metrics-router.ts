import { Router } from 'express';
import { MetricsRangeSchema } from '@virtweb/protocol';
import { z } from 'zod';
import type { MetricsService } from '../metrics/metrics-service.ts';
import type { VmService } from '../vms/vm-service.ts';
import { parseOr400 } from './validate.ts';

const VmQuerySchema = z.strictObject({ range: MetricsRangeSchema.default('5m') });
const HostQuerySchema = z.strictObject({ range: z.enum(['5m', '1h']).default('5m') });

/** `GET /api/host/metrics?range=5m|1h`. */
export function hostMetricsRouter(metrics: MetricsService): Router {
  const r = Router();
  r.get('/host/metrics', (req, res) => {
    const { range } = parseOr400(HostQuerySchema, req.query);
    res.json(metrics.hostMetrics(range));
  });
  return r;
}

/** `GET /api/vms/:id/metrics?range=5m|1h|24h|7d` (on the VMs router). */
export function vmMetricsRoutes(r: Router, metrics: MetricsService, vms: VmService): void {
  r.get('/:id/metrics', (req, res) => {
    vms.get(req.params.id); // 404 for an unknown guest
    const { range } = parseOr400(VmQuerySchema, req.query);
    res.json(metrics.vmMetrics(req.params.id, range));
  });
}
