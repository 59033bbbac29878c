// Undoing a failed move's uploads on the peer: through the route a `peer` token may use, and, for a peer
// from before token scopes, through the image route.
import express, { type RequestHandler, type Router } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../http/errors.ts';
import { PeerClient } from '../peers/peer-client.ts';
import { removeUploads } from './job-context.ts';
import { serveApi } from './test-support.ts';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A peer with these routes under /api (404 for the rest); its client and the requests it got. */
async function peer(routes: Router): Promise<{ client: PeerClient; calls: string[] }> {
  const calls: string[] = [];
  const record: RequestHandler = (req, _res, next) => {
    calls.push(`${req.method} ${req.originalUrl}`);
    next();
  };
  const { url, close } = await serveApi(record, routes);
  closers.push(close);
  return { client: new PeerClient(url, 'vwt_test'), calls };
}

describe('removeUploads', () => {
  it('takes back through the incoming route; what the peer refuses is left, without touching images', async () => {
    const r = express.Router();
    r.delete('/migrations/incoming/uploads/:name', (req, res) => {
      if (req.params.name === 'in-use.qcow2') throw new HttpError(409, 'in_use', 'used by VM x');
      res.status(204).end();
    });
    const { client, calls } = await peer(r);
    expect(await removeUploads(client, ['a.qcow2', 'in-use.qcow2'])).toEqual(['in-use.qcow2']);
    expect(calls).toEqual([
      'DELETE /api/migrations/incoming/uploads/a.qcow2',
      'DELETE /api/migrations/incoming/uploads/in-use.qcow2',
    ]);
  });

  it('falls back to deleting the image on a peer without that route', async () => {
    const r = express.Router();
    r.delete('/images/:name', (_req, res) => res.status(204).end());
    const { client, calls } = await peer(r);
    expect(await removeUploads(client, ['a.qcow2'])).toEqual([]);
    expect(calls).toEqual(['DELETE /api/migrations/incoming/uploads/a.qcow2', 'DELETE /api/images/a.qcow2']);
  });

  it('reports what neither route removed', async () => {
    const r = express.Router();
    r.delete('/images/:name', () => {
      throw new HttpError(403, 'forbidden', 'DELETE /api/images/a.qcow2 needs the operate scope');
    });
    const { client } = await peer(r);
    expect(await removeUploads(client, ['a.qcow2'])).toEqual(['a.qcow2']);
  });
});
