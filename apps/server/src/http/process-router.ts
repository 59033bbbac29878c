import type { Router } from 'express';
import { SignalRequestSchema } from '@virtweb/protocol';
import { z } from 'zod';
import type { GuestProcess } from '../vms/guest-process.ts';
import { parseOr400 } from './validate.ts';

const LogQuerySchema = z.strictObject({ lines: z.coerce.number().int().min(1).max(5000).default(200) });

/** The guest as a host process: `/api/vms/:id/process`, `/log`, and `POST /signal` (on the VMs router). */
export function vmProcessRoutes(r: Router, guests: GuestProcess): void {
  r.get('/:id/process', async (req, res) => {
    res.json(await guests.describe(req.params.id));
  });
  r.get('/:id/log', async (req, res) => {
    const { lines } = parseOr400(LogQuerySchema, req.query);
    res.json(await guests.log(req.params.id, lines));
  });
  r.post('/:id/signal', (req, res) => {
    const { signal } = parseOr400(SignalRequestSchema, req.body);
    res.status(202).json(guests.signal(req.params.id, signal));
  });
}
