import { Router } from 'express';
import type { HostCapabilities } from '../host/capabilities.ts';

/** `GET /api/host`: qemu, accelerators (with the KVM probe's verdict), CPUs and memory. */
export function hostRouter(host: HostCapabilities): Router {
  const r = Router();
  r.get('/', async (_req, res) => {
    res.json(await host.info());
  });
  return r;
}
