import { Router } from 'express';
import { CreateVmRequestSchema, VmActionSchema, VmIdSchema } from '@virtweb/protocol';
import type { VmService } from '../vms/vm-service.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/** `/api/vms`: definitions and lifecycle actions. */
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
  r.get('/:id', (req, res) => {
    res.json(vms.get(id(req.params.id)));
  });
  r.delete('/:id', (req, res) => {
    vms.delete(id(req.params.id));
    res.status(204).end();
  });
  r.post('/:id/:action', async (req, res) => {
    const vmId = id(req.params.id);
    const action = VmActionSchema.safeParse(req.params.action);
    if (!action.success) throw notFound(`action ${req.params.action}`);
    res.status(202).json(await vms.action(vmId, action.data));
  });
  return r;
}
