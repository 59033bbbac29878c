import type { Router } from 'express';
import { NicPatchRequestSchema, NicRequestSchema, NicSlotSchema } from '@virtweb/protocol';
import type { VmNics } from '../vms/vm-nics.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/** `/api/vms/:id/nics` (on the VMs router): NICs, hot-plugged, unplugged and their link set while the VM runs. */
export function vmNicsRoutes(r: Router, nics: VmNics): void {
  const slot = (raw: string): number => {
    const parsed = /^\d{1,3}$/.test(raw) ? NicSlotSchema.safeParse(Number(raw)) : undefined;
    if (!parsed?.success) throw notFound(`NIC ${raw}`);
    return parsed.data;
  };

  r.post('/:id/nics', async (req, res) => {
    res.status(201).json(await nics.add(req.params.id, parseOr400(NicRequestSchema, req.body)));
  });
  r.patch('/:id/nics/:slot', async (req, res) => {
    const at = slot(req.params.slot);
    res.json(await nics.patch(req.params.id, at, parseOr400(NicPatchRequestSchema, req.body)));
  });
  r.delete('/:id/nics/:slot', async (req, res) => {
    await nics.remove(req.params.id, slot(req.params.slot));
    res.status(204).end();
  });
}
