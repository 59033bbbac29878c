import type { Router } from 'express';
import { SendKeysRequestSchema, TypeTextRequestSchema } from '@virtweb/protocol';
import { GuestKeyboard } from '../consoles/keyboard.ts';
import { guestScreenshot } from '../consoles/screenshot.ts';
import type { VmService } from '../vms/vm-service.ts';
import { parseOr400 } from './validate.ts';

/**
 * `/api/vms/:id/{screenshot.png,send-keys,type,serial.log}` (on the VMs router): the consoles' helpers that
 * are not websockets.
 */
export function vmConsoleRoutes(r: Router, vms: VmService, keyboard = new GuestKeyboard(vms)): void {
  r.get('/:id/screenshot.png', async (req, res) => {
    const { vm, shot } = await guestScreenshot(vms, req.params.id);
    res
      .status(200)
      .type('image/png')
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `inline; filename="${vm.name}.png"`)
      .send(shot.png);
  });

  // The guest's serial output kept on disk (all its runs, at most two rotated files): a download.
  r.get('/:id/serial.log', async (req, res) => {
    const vm = vms.get(req.params.id);
    const log = await vms.serialLogs.read(vm.id);
    res
      .status(200)
      .type('text/plain; charset=utf-8')
      .set('Cache-Control', 'no-store')
      .set('Content-Disposition', `attachment; filename="${vm.name}-serial.log"`)
      .send(log);
  });

  r.post('/:id/send-keys', async (req, res) => {
    const body = parseOr400(SendKeysRequestSchema, req.body);
    await keyboard.sendCombo(req.params.id, body.keys);
    res.status(204).end();
  });

  r.post('/:id/type', (req, res) => {
    const body = parseOr400(TypeTextRequestSchema, req.body);
    res.status(202).json(keyboard.type(req.params.id, body.text, body.layout));
  });
}
