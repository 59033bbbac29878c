import { Router } from 'express';
import {
  CreateNetworkRequestSchema,
  NetworkNameSchema,
  UpdatePortForwardsRequestSchema,
} from '@virtweb/protocol';
import type { NetworkService } from '../networks/network-service.ts';
import { notFound } from './errors.ts';
import { parseOr400 } from './validate.ts';

const networkName = (raw: string): string => {
  if (!NetworkNameSchema.safeParse(raw).success) throw notFound(`network ${raw}`);
  return raw;
};

/** `/api/networks`: managed networks (NAT, isolated, host bridge), their leases and port forwards. */
export function networksRouter(networks: NetworkService): Router {
  const r = Router();
  r.get('/networks', async (_req, res) => {
    res.json(await networks.list());
  });
  r.post('/networks', async (req, res) => {
    const body = parseOr400(CreateNetworkRequestSchema, req.body);
    res.status(201).json(await networks.create(body));
  });
  r.get('/networks/:name', async (req, res) => {
    res.json(await networks.get(networkName(req.params.name)));
  });
  r.delete('/networks/:name', async (req, res) => {
    await networks.delete(networkName(req.params.name));
    res.status(204).end();
  });
  r.post('/networks/:name/start', async (req, res) => {
    res.json(await networks.start(networkName(req.params.name)));
  });
  r.post('/networks/:name/stop', async (req, res) => {
    res.json(await networks.stop(networkName(req.params.name)));
  });
  r.put('/networks/:name/port-forwards', async (req, res) => {
    const name = networkName(req.params.name);
    const body = parseOr400(UpdatePortForwardsRequestSchema, req.body);
    res.json(await networks.setPortForwards(name, body.portForwards));
  });
  return r;
}
