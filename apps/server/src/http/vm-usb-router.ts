import { Router } from 'express';
import { UsbDeviceRequestSchema, UsbSlotSchema } from '@virtweb/protocol';
import type { VmUsb } from '../vms/vm-usb.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/** `/api/vms/:id/usb` (on the VMs router): host USB devices attached to and detached from a guest. */
export function vmUsbRoutes(r: Router, usb: VmUsb): void {
  r.post('/:id/usb', async (req, res) => {
    res.status(201).json(await usb.attach(req.params.id, parseOr400(UsbDeviceRequestSchema, req.body)));
  });
  r.delete('/:id/usb/:slot', async (req, res) => {
    const raw = req.params.slot;
    const parsed = /^\d{1,3}$/.test(raw) ? UsbSlotSchema.safeParse(Number(raw)) : undefined;
    if (!parsed?.success) throw notFound(`USB device ${raw}`);
    await usb.detach(req.params.id, parsed.data);
    res.status(204).end();
  });
}

/** `GET /api/host/usb` (mounted at `/api/host`): the host's USB devices and the guests that have them. */
export function hostUsbRouter(usb: VmUsb): Router {
  const r = Router();
  r.get('/usb', async (_req, res) => {
    res.json(await usb.hostDevices());
  });
  return r;
}
