import { Router } from 'express';
import { CreateConnectionRequestSchema } from '@virtweb/protocol';
import type { ConnectionService } from '../connections/connection-service.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

const connectionId = (raw: string): string => {
  if (!/^[0-9a-f]{12}$/.test(raw)) throw notFound(`connection ${raw}`);
  return raw;
};

/** `/api/connections`: libvirt hosts whose guests virtweb shows and drives (the libvirt engine). */
export function connectionsRouter(connections: ConnectionService): Router {
  const r = Router();
  r.get('/connections', async (_req, res) => {
    res.json(await connections.list());
  });
  r.post('/connections', async (req, res) => {
    const body = parseOr400(CreateConnectionRequestSchema, req.body);
    res.status(201).json(await connections.add(body));
  });
  r.get('/connections/:id', async (req, res) => {
    res.json(await connections.get(connectionId(req.params.id)));
  });
  r.delete('/connections/:id', (req, res) => {
    connections.remove(connectionId(req.params.id));
    res.status(204).end();
  });
  return r;
}
