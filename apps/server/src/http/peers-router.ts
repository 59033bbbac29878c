import { Router } from 'express';
import {
  AddPeerRequestSchema,
  CreateTokenRequestSchema,
  PeerCertificateRequestSchema,
  PeerIdSchema,
  VmActionSchema,
  VmIdSchema,
} from '@virtweb/protocol';
import type { ApiTokenStore } from '../auth/api-tokens.ts';
import type { PeerService } from '../peers/peer-service.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

const peerId = (raw: string): string => {
  if (!PeerIdSchema.safeParse(raw).success) throw notFound(`peer ${raw}`);
  return raw;
};

/** `/api/peers/self`: open to tokens too, so a server can tell who it talks to. */
export function peerSelfRouter(peers: PeerService): Router {
  const r = Router();
  r.get('/peers/self', (_req, res) => {
    res.json(peers.identity);
  });
  return r;
}

/**
 * `/api/tokens`, `/api/peers`, `/api/cluster`: only for a logged-in user, not for API tokens (a token cannot
 * mint tokens): see ROUTE_SCOPES.
 */
export function peersRouter(peers: PeerService, tokens: ApiTokenStore): Router {
  const r = Router();

  r.get('/tokens', (_req, res) => {
    res.json(tokens.list());
  });
  r.post('/tokens', (req, res) => {
    const body = parseOr400(CreateTokenRequestSchema, req.body);
    res.status(201).json(tokens.create(body.name, body.scope));
  });
  r.delete('/tokens/:id', (req, res) => {
    if (!tokens.revoke(req.params.id)) throw notFound(`token ${req.params.id}`);
    res.status(204).end();
  });

  r.get('/peers', (_req, res) => {
    res.json(peers.list());
  });
  r.post('/peers', async (req, res) => {
    const body = parseOr400(AddPeerRequestSchema, req.body);
    res.status(201).json(await peers.add(body.url, body.token, body.fingerprint));
  });
  // The first step of adding an https:// peer: the certificate it presents, for the user to confirm.
  r.post('/peers/certificate', async (req, res) => {
    const body = parseOr400(PeerCertificateRequestSchema, req.body);
    res.json(await peers.certificate(body.url));
  });
  r.delete('/peers/:id', (req, res) => {
    peers.remove(peerId(req.params.id));
    res.status(204).end();
  });
  r.post('/peers/:id/vms/:vmId/:action', async (req, res) => {
    const action = VmActionSchema.safeParse(req.params.action);
    if (!action.success) throw notFound(`action ${req.params.action}`);
    if (!VmIdSchema.safeParse(req.params.vmId).success) throw notFound(`VM ${req.params.vmId}`);
    res.status(202).json(await peers.action(peerId(req.params.id), req.params.vmId, action.data));
  });

  r.get('/cluster/vms', async (_req, res) => {
    res.json(await peers.guestsByHost());
  });
  return r;
}
