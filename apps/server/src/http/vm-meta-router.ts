import { Router } from 'express';
import { AutostartSchema, VmIdSchema, VmLabelsSchema } from '@virtweb/protocol';
import { setAutostart, setLabels } from '../vms/vm-meta.ts';
import type { VmService } from '../vms/vm-service.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/** `PUT /api/vms/:id/{labels,autostart}`: tags, notes, and starting with the host. */
export function vmMetaRouter(vms: VmService): Router {
  const r = Router();
  const id = (raw: string): string => {
    if (!VmIdSchema.safeParse(raw).success) throw notFound(`VM ${raw}`);
    return raw;
  };
  r.put('/:id/labels', (req, res) => {
    const vmId = id(req.params.id);
    res.json(setLabels(vms, vmId, parseOr400(VmLabelsSchema, req.body)));
  });
  r.put('/:id/autostart', (req, res) => {
    const vmId = id(req.params.id);
    res.json(setAutostart(vms, vmId, parseOr400(AutostartSchema, req.body)));
  });
  return r;
}
