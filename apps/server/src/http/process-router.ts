import { Router } from 'express';
import { ErrorCode, SignalRequestSchema, VmIdSchema } from '@virtweb/protocol';
import { z } from 'zod';
import { describeProcess, readQemuLog } from '../vms/process-info.ts';
import type { VmLauncher } from '../vms/vm-launch.ts';
import type { VmService } from '../vms/vm-service.ts';
import { Conflict } from '../domain/errors.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

const LogQuerySchema = z.strictObject({ lines: z.coerce.number().int().min(1).max(5000).default(200) });

/** The guest as a host process: `/api/vms/:id/process`, `/log`, and `POST /signal`. */
export function processRouter(vms: VmService, launcher: VmLauncher): Router {
  const r = Router();
  const known = (id: string): string => {
    if (!VmIdSchema.safeParse(id).success) throw notFound(`VM ${id}`);
    vms.get(id); // 404 for an unknown guest
    return id;
  };
  const running = (id: string): number => {
    const rt = vms.runtime(known(id));
    if (!rt) throw new Conflict(ErrorCode.wrongState, 'the guest has no qemu process: start it first');
    return rt.pid;
  };
  r.get('/:id/process', async (req, res) => {
    const info = await describeProcess(running(req.params.id), launcher.paths(req.params.id));
    if (!info) throw new Conflict(ErrorCode.wrongState, 'the qemu process is gone');
    res.json(info);
  });
  r.get('/:id/log', async (req, res) => {
    const { lines } = parseOr400(LogQuerySchema, req.query);
    res.json(await readQemuLog(launcher.paths(known(req.params.id)).log, lines));
  });
  r.post('/:id/signal', (req, res) => {
    const { signal } = parseOr400(SignalRequestSchema, req.body);
    // The same thing `kill -s <signal> <pid>` does: the state then follows from the process's exit.
    process.kill(running(req.params.id), signal);
    res.status(202).json(vms.get(req.params.id));
  });
  return r;
}
