import type { Router } from 'express';
import { AutostartSchema, VmLabelsSchema } from '@virtweb/protocol';
import { setAutostart, setLabels } from '../vms/vm-meta.ts';
import type { VmService } from '../vms/vm-service.ts';
import { parseOr400 } from './validate.ts';

/** `PUT /api/vms/:id/{labels,autostart}` (on the VMs router): tags, notes, and starting with the host. */
export function vmMetaRoutes(r: Router, vms: VmService): void {
  r.put('/:id/labels', (req, res) => {
    res.json(setLabels(vms, req.params.id, parseOr400(VmLabelsSchema, req.body)));
  });
  r.put('/:id/autostart', (req, res) => {
    res.json(setAutostart(vms, req.params.id, parseOr400(AutostartSchema, req.body)));
  });
}
