import { Router } from 'express';
import { SetServerNameRequestSchema, type HostInfo, type HostTls } from '@virtweb/protocol';
import type { HostCapabilities } from '../host/capabilities.ts';
import type { ServerName } from '../host/server-name.ts';
import { parseOr400 } from './validate.ts';

/**
 * `GET /api/host`: qemu, accelerators (with the KVM probe's verdict), CPUs and memory, and the server's
 * display name and HTTPS certificate; `PUT /api/host/name`: rename the server (peers see it at their next health check).
 */
export function hostRouter(host: HostCapabilities, name: ServerName, tls: HostTls | null): Router {
  const r = Router();
  const info = async (): Promise<HostInfo> => ({ ...(await host.info()), name: name.get(), tls });
  r.get('/', async (_req, res) => {
    res.json(await info());
  });
  r.put('/name', async (req, res) => {
    name.set(parseOr400(SetServerNameRequestSchema, req.body).name);
    res.json(await info());
  });
  return r;
}
