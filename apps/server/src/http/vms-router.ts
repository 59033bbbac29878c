import { Router } from 'express';
import {
  BalloonRequestSchema,
  CloneVmRequestSchema,
  CreateVmRequestSchema,
  DeleteVmRequestSchema,
  UpdateVmRequestSchema,
  VmActionSchema,
  VmIdSchema,
} from '@virtweb/protocol';
import type { MetricsService } from '../metrics/metrics-service.ts';
import type { MigrationService } from '../migration/migration-service.ts';
import { GuestProcess } from '../vms/guest-process.ts';
import type { VmService } from '../vms/vm-service.ts';
import { vmConsoleRoutes } from './consoles-router.ts';
import { notFound } from './errors.ts';
import { vmMetricsRoutes } from './metrics-router.ts';
import { vmMigrationRoutes } from './migrations-router.ts';
import { vmProcessRoutes } from './process-router.ts';
import { parseOr400 } from './validate.ts';
import { vmMetaRoutes } from './vm-meta-router.ts';
import { vmNicsRoutes } from './vm-nics-router.ts';
import { vmUsbRoutes } from './vm-usb-router.ts';
import { vmStorageRoutes } from './vm-storage-router.ts';

export interface VmsRouterDeps {
  vms: VmService;
  migrations: MigrationService;
  metrics: MetricsService;
}

/**
 * `/api/vms`: every route of the guests in one router, so that each `:id` is checked once (a malformed id
 * is a 404 before any route runs): definitions and lifecycle here, the rest from their modules.
 */
export function vmsRouter(deps: VmsRouterDeps): Router {
  const { vms } = deps;
  const r = Router();
  r.param('id', (_req, _res, next, raw: string) => {
    if (!VmIdSchema.safeParse(raw).success) throw notFound(`VM ${raw}`);
    next();
  });
  vmDefinitionRoutes(r, vms);
  vmProcessRoutes(r, new GuestProcess(vms));
  vmMetricsRoutes(r, deps.metrics, vms);
  vmConsoleRoutes(r, vms);
  vmMetaRoutes(r, vms);
  vmStorageRoutes(r, vms.storage);
  vmNicsRoutes(r, vms.nics);
  vmUsbRoutes(r, vms.usb);
  vmMigrationRoutes(r, deps.migrations);
  for (const action of VmActionSchema.options) {
    r.post(`/:id/${action}`, async (req, res, next) => {
      // NOTE: Express matches literals in any case; an action is named in lower case only (`/START` is
      // unknown, below).
      if (!req.path.replace(/\/$/, '').endsWith(`/${action}`)) {
        next('route');
        return;
      }
      res.status(202).json(await vms.action(req.params.id, action));
    });
  }
  // Last: any other name after a VM id is an unknown action.
  r.post('/:id/:action', (req) => {
    throw notFound(`action ${req.params.action}`);
  });
  return r;
}

/** Definitions (create, preview, settings, clone, delete) and the balloon. */
function vmDefinitionRoutes(r: Router, vms: VmService): void {
  r.get('/', (_req, res) => {
    res.json(vms.list());
  });
  r.post('/', async (req, res) => {
    const body = parseOr400(CreateVmRequestSchema, req.body);
    res.status(201).json(await vms.create(body));
  });
  r.post('/preview', async (req, res) => {
    const body = parseOr400(CreateVmRequestSchema, req.body);
    res.json(await vms.preview(body));
  });
  r.get('/:id', (req, res) => {
    res.json(vms.get(req.params.id));
  });
  r.put('/:id', async (req, res) => {
    res.json(await vms.update(req.params.id, parseOr400(UpdateVmRequestSchema, req.body)));
  });
  r.delete('/:id', async (req, res) => {
    // The body is optional: without one, the VM goes and every image stays.
    await vms.delete(req.params.id, parseOr400(DeleteVmRequestSchema, req.body ?? {}));
    res.status(204).end();
  });
  r.get('/:id/command-line', async (req, res) => {
    res.json(await vms.commandLine(req.params.id));
  });
  r.get('/:id/windows11', async (req, res) => {
    res.json(await vms.windows11(req.params.id));
  });
  r.post('/:id/clone', async (req, res) => {
    res.status(201).json(await vms.clone(req.params.id, parseOr400(CloneVmRequestSchema, req.body)));
  });
  r.get('/:id/agent', (req, res) => {
    res.json(vms.agentInfo(req.params.id));
  });
  r.get('/:id/balloon', async (req, res) => {
    res.json(await vms.balloonInfo(req.params.id));
  });
  r.post('/:id/balloon', async (req, res) => {
    const { targetMiB } = parseOr400(BalloonRequestSchema, req.body);
    res.status(202).json(await vms.balloon(req.params.id, targetMiB));
  });
}
