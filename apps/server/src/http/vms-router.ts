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
import type { VmService } from '../vms/vm-service.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/** `/api/vms`: definitions (create, preview, settings, clone, delete), lifecycle actions and the balloon. */
export function vmsRouter(vms: VmService): Router {
  const r = Router();
  const id = (raw: string): string => {
    if (!VmIdSchema.safeParse(raw).success) throw notFound(`VM ${raw}`);
    return raw;
  };
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
    res.json(vms.get(id(req.params.id)));
  });
  r.put('/:id', async (req, res) => {
    const vmId = id(req.params.id);
    res.json(await vms.update(vmId, parseOr400(UpdateVmRequestSchema, req.body)));
  });
  r.delete('/:id', async (req, res) => {
    const vmId = id(req.params.id);
    // The body is optional: without one, the VM goes and every image stays.
    await vms.delete(vmId, parseOr400(DeleteVmRequestSchema, req.body ?? {}));
    res.status(204).end();
  });
  r.get('/:id/command-line', async (req, res) => {
    res.json(await vms.commandLine(id(req.params.id)));
  });
  r.post('/:id/clone', async (req, res) => {
    const vmId = id(req.params.id);
    res.status(201).json(await vms.clone(vmId, parseOr400(CloneVmRequestSchema, req.body)));
  });
  r.get('/:id/balloon', async (req, res) => {
    res.json(await vms.balloonInfo(id(req.params.id)));
  });
  r.post('/:id/balloon', async (req, res) => {
    const vmId = id(req.params.id);
    const { targetMiB } = parseOr400(BalloonRequestSchema, req.body);
    res.status(202).json(await vms.balloon(vmId, targetMiB));
  });
  r.post('/:id/:action', async (req, res) => {
    const vmId = id(req.params.id);
    const action = VmActionSchema.safeParse(req.params.action);
    if (!action.success) throw notFound(`action ${req.params.action}`);
    res.status(202).json(await vms.action(vmId, action.data));
  });
  return r;
}
