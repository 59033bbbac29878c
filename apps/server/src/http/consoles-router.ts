import { Router } from 'express';
import { ErrorCode, SendKeysRequestSchema, TypeTextRequestSchema, VmIdSchema } from '@virtweb/protocol';
import { GuestKeyboard, qmpFailure } from '../consoles/keyboard.ts';
import { takeScreenshot } from '../consoles/screenshot.ts';
import type { VmService } from '../vms/vm-service.ts';
import { Conflict } from '../domain/errors.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/**
 * `/api/vms/:id/{screenshot.png,send-keys,type,serial.log}`: the consoles' helpers that are not websockets.
 */
export function consolesRouter(vms: VmService, keyboard = new GuestKeyboard(vms)): Router {
  const r = Router();
  const id = (raw: string): string => {
    if (!VmIdSchema.safeParse(raw).success) throw notFound(`VM ${raw}`);
    return raw;
  };

  r.get('/:id/screenshot.png', async (req, res) => {
    const vm = vms.get(id(req.params.id));
    const rt = vms.runtime(vm.id);
    if (!rt) throw new Conflict(ErrorCode.wrongState, `VM ${vm.name} is ${vm.state}; it has no screen`);
    const shot = await takeScreenshot(rt.proc, vms.qemuAccess).catch((err: unknown) => {
      throw qmpFailure(err, vm);
    });
    res
      .status(200)
      .type('image/png')
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `inline; filename="${vm.name}.png"`)
      .send(shot.png);
  });

  // The guest's serial output kept on disk (all its runs, at most two rotated files): a download.
  r.get('/:id/serial.log', async (req, res) => {
    const vm = vms.get(id(req.params.id));
    const log = await vms.serialLogs.read(vm.id);
    res
      .status(200)
      .type('text/plain; charset=utf-8')
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `attachment; filename="${vm.name}-serial.log"`)
      .send(log);
  });

  r.post('/:id/send-keys', async (req, res) => {
    const vmId = id(req.params.id);
    const body = parseOr400(SendKeysRequestSchema, req.body);
    await keyboard.sendCombo(vmId, body.keys);
    res.status(204).end();
  });

  r.post('/:id/type', (req, res) => {
    const vmId = id(req.params.id);
    const body = parseOr400(TypeTextRequestSchema, req.body);
    res.status(202).json(keyboard.type(vmId, body.text, body.layout));
  });
  return r;
}
