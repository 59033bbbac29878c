import { Router } from 'express';
import { MIGRATION_PROTOCOL_VERSION } from '@virtweb/protocol';
import {
  HandshakeRequestSchema,
  type HandshakeAnswer,
  IncomingIdSchema,
  IncomingRequestSchema,
} from '../migration/incoming-api.ts';
import type { IncomingMigrations } from '../migration/incoming-service.ts';
import { refuseOtherProtocol } from '../migration/protocol-version.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

/** What the routes use of the target side (a fake in the routes' tests). */
export type IncomingEndpoints = Pick<
  IncomingMigrations,
  'create' | 'status' | 'finish' | 'abort' | 'storeId'
>;

/**
 * `/api/migrations/incoming`: the target side of a migration, for peers (a token, server to server). The
 * handshake and the request to receive a VM carry the source's protocol version, checked before the rest.
 * NOTE: status, finish and abort are not checked: they concern a migration the target already took, and a
 * source restarted on newer code must still be able to finish or take back a guest it sent.
 */
export function incomingRouter(incoming: IncomingEndpoints): Router {
  const r = Router();
  const incomingId = (raw: string): string => {
    if (!IncomingIdSchema.safeParse(raw).success) throw notFound(`incoming migration ${raw}`);
    return raw;
  };

  r.post('/migrations/incoming/handshake', (req, res) => {
    refuseOtherProtocol(req.body);
    parseOr400(HandshakeRequestSchema, req.body);
    const answer: HandshakeAnswer = {
      migrationProtocol: MIGRATION_PROTOCOL_VERSION,
      storeId: incoming.storeId,
    };
    res.json(answer);
  });
  r.post('/migrations/incoming', async (req, res) => {
    refuseOtherProtocol(req.body);
    const body = parseOr400(IncomingRequestSchema, req.body);
    res.status(201).json(await incoming.create(body));
  });
  r.get('/migrations/incoming/:id', (req, res) => {
    res.json(incoming.status(incomingId(req.params.id)));
  });
  r.post('/migrations/incoming/:id/finish', async (req, res) => {
    res.json(await incoming.finish(incomingId(req.params.id)));
  });
  r.delete('/migrations/incoming/:id', async (req, res) => {
    await incoming.abort(incomingId(req.params.id));
    res.status(204).end();
  });
  return r;
}
