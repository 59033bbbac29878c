// The VMs router's edge: one check of `:id` for every route of a guest, one route per lifecycle action, and
// any other name after an id answered as an unknown action (404), as the catch-all route used to.
import express from 'express';
import type { VmAction } from '@virtweb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmService } from '../vms/vm-service.ts';
import { errorHandler } from './errors.ts';
import { serveOnLoopback } from './test-support.ts';
import { vmsRouter, type VmsRouterDeps } from './vms-router.ts';

const ID = '0123456789ab';
/** The actions the router asked the VM service for. */
const asked: [string, VmAction][] = [];
const vms = {
  action: (id: string, action: VmAction) => {
    asked.push([id, action]);
    return Promise.resolve({ id });
  },
  storage: {},
} as unknown as VmService;

let url = '';
let close: () => Promise<void> = () => Promise.resolve();

beforeAll(async () => {
  const app = express();
  app.use(express.json());
  app.use('/api/vms', vmsRouter({ vms } as unknown as VmsRouterDeps));
  app.use(errorHandler);
  ({ url, close } = await serveOnLoopback(app));
});

afterAll(async () => {
  await close();
});

async function call(method: string, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/api/vms${path}`, { method });
  return { status: res.status, body: await res.json() };
}

const notFound = (message: string) => ({ status: 404, body: { error: { code: 'not_found', message } } });

describe('the VMs router', () => {
  it('runs each lifecycle action through its own route', async () => {
    asked.length = 0;
    for (const action of ['start', 'shutdown', 'poweroff', 'reset', 'pause', 'resume'] as const) {
      expect(await call('POST', `/${ID}/${action}`)).toEqual({ status: 202, body: { id: ID } });
    }
    expect(asked.map(([, a]) => a)).toEqual(['start', 'shutdown', 'poweroff', 'reset', 'pause', 'resume']);
    expect(asked.every(([id]) => id === ID)).toBe(true);
  });

  it('answers any other name after an id as an unknown action, in any case', async () => {
    asked.length = 0;
    expect(await call('POST', `/${ID}/frobnicate`)).toEqual(notFound('action frobnicate not found'));
    expect(await call('POST', `/${ID}/START`)).toEqual(notFound('action START not found'));
    expect(await call('POST', `/${ID}/Reset/`)).toEqual(notFound('action Reset not found'));
    expect(asked).toEqual([]);
  });

  it('refuses a malformed id before any route of a guest runs', async () => {
    expect(await call('POST', '/nope/start')).toEqual(notFound('VM nope not found'));
    expect(await call('POST', '/nope/frobnicate')).toEqual(notFound('VM nope not found'));
    expect(await call('GET', '/FFFFFFFFFFFF')).toEqual(notFound('VM FFFFFFFFFFFF not found'));
    expect(await call('GET', '/nope/disks')).toEqual(notFound('VM nope not found'));
    expect(await call('DELETE', '/nope/snapshots/s1')).toEqual(notFound('VM nope not found'));
    expect(await call('GET', '/nope/screenshot.png')).toEqual(notFound('VM nope not found'));
    expect(await call('POST', '/nope/migrate/check')).toEqual(notFound('VM nope not found'));
    expect(await call('GET', '/nope/metrics')).toEqual(notFound('VM nope not found'));
    expect(await call('POST', '/nope/signal')).toEqual(notFound('VM nope not found'));
    expect(await call('PUT', '/nope/labels')).toEqual(notFound('VM nope not found'));
  });
});
