// The migration protocol version between two servers: the target refuses another (or no) version with a 409
// naming both before it validates anything else, and the source shows those words in its checks.
import os from 'node:os';
import express, { type Router } from 'express';
import { ErrorCode, MIGRATION_PROTOCOL_VERSION } from '@virtweb/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { notFound } from '../http/errors.ts';
import { incomingRouter, type IncomingEndpoints } from '../http/incoming-router.ts';
import { PeerCallError, PeerClient } from '../peers/peer-client.ts';
import type { IncomingRequest } from './incoming-api.ts';
import { peerFacts } from './peer-facts.ts';
import { protocolMismatch, refuseOtherProtocol } from './protocol-version.ts';
import { askProtocol, postIncoming } from './target-calls.ts';
import { serveApi } from './test-support.ts';

const here = os.hostname();
const TARGET_STORE = '00000000-0000-4000-8000-000000000000';
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** An API server on loopback with these routes under /api; its URL. */
async function serve(routes: Router): Promise<string> {
  const { url, close } = await serveApi(express.json(), routes);
  closers.push(close);
  return url;
}

/** This version's target routes over a fake target side that records what it was asked to create. */
async function currentTarget(): Promise<{ url: string; created: unknown[] }> {
  const created: unknown[] = [];
  const fake: IncomingEndpoints = {
    create: (req) => {
      created.push(req);
      return Promise.resolve({ incomingId: '0123456789ab', vmId: 'bbbbbbbbbbbb' });
    },
    status: (id) => {
      throw notFound(id);
    },
    finish: (id) => Promise.reject(notFound(id)),
    abort: (id) => Promise.reject(notFound(id)),
    storeId: TARGET_STORE,
  };
  return { url: await serve(incomingRouter(fake)), created };
}

/** A target on a newer protocol: the same check, another version. */
function newerTarget(): Promise<string> {
  const r = express.Router();
  const newer = { name: 'host-b', version: MIGRATION_PROTOCOL_VERSION + 1 };
  r.post(['/migrations/incoming', '/migrations/incoming/handshake'], (req) => {
    refuseOtherProtocol(req.body, newer);
    throw new Error('not reached');
  });
  return serve(r);
}

const post = async (url: string, path: string, body: unknown) => {
  const res = await fetch(`${url}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer: unknown = await res.json();
  return { status: res.status, body: answer };
};

const request: IncomingRequest = {
  kind: 'offline',
  config: { name: 'web1', memoryMiB: 256, vcpus: 1, nics: [] },
  disks: [],
  source: { hostname: 'host-a', vmId: 'aaaaaaaaaaaa' },
};

describe('protocolMismatch', () => {
  it('names both versions and the older host, a missing version being older than 1', () => {
    const target = { name: 'host-b', version: 1 };
    expect(protocolMismatch(target, { name: 'host-a', version: 2 })).toBe(
      'host-b (the target) speaks migration protocol 1, host-a (the source) migration protocol 2: ' +
        'update virtweb on host-b (the target)',
    );
    expect(protocolMismatch(target, { name: 'host-a', version: undefined })).toBe(
      'host-b (the target) speaks migration protocol 1, host-a (the source) a migration protocol older ' +
        'than 1 (no version): update virtweb on host-a (the source)',
    );
  });
});

describe("the target's incoming endpoints", () => {
  it('refuse a request without a version with a 409 before validating the rest', async () => {
    const { url, created } = await currentTarget();
    const res = await post(url, '/migrations/incoming', { kind: 'teleport', source: { hostname: 'old-a' } });
    expect(res).toEqual({
      status: 409,
      body: {
        error: {
          code: 'migration_version_mismatch',
          message:
            `${here} (the target) speaks migration protocol 3, old-a (the source) a migration protocol ` +
            'older than 1 (no version): update virtweb on old-a (the source)',
        },
      },
    });
    expect(created).toEqual([]);
  });

  it('refuse a newer version, telling to update this host', async () => {
    const { url, created } = await currentTarget();
    const newer = { ...request, migrationProtocol: 4, somethingNew: true };
    const res = await post(url, '/migrations/incoming', newer);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: {
        code: ErrorCode.migrationVersionMismatch,
        message:
          `${here} (the target) speaks migration protocol 3, host-a (the source) migration protocol 4: ` +
          `update virtweb on ${here} (the target)`,
      },
    });
    expect(created).toEqual([]);
  });

  it('validate the body of the same version as before (400) and take a valid one', async () => {
    const { url, created } = await currentTarget();
    const bad = await post(url, '/migrations/incoming', {
      ...request,
      migrationProtocol: 3,
      kind: 'teleport',
    });
    expect(bad.status).toBe(400);
    const good = await post(url, '/migrations/incoming', { ...request, migrationProtocol: 3 });
    expect(good.status).toBe(201);
    expect(created).toEqual([expect.objectContaining({ migrationProtocol: 3, kind: 'offline' })]);
  });

  it('answer the handshake with their version, or refuse another one', async () => {
    const { url } = await currentTarget();
    const source = { hostname: 'host-a' };
    expect(await post(url, '/migrations/incoming/handshake', { migrationProtocol: 3, source })).toEqual({
      status: 200,
      body: { migrationProtocol: 3, storeId: TARGET_STORE },
    });
    const old = await post(url, '/migrations/incoming/handshake', { source });
    expect(old.status).toBe(409);
    expect(old.body).toMatchObject({ error: { code: 'migration_version_mismatch' } });
  });
});

describe('the source', () => {
  const client = (url: string) => new PeerClient(url, 'vwt_test');

  it('sends its version: a target of the same one takes the handshake and the request', async () => {
    const { url, created } = await currentTarget();
    expect(await askProtocol(client(url), 'host-b')).toEqual({ ok: true, version: 3, storeId: TARGET_STORE });
    expect(await postIncoming(client(url), request)).toEqual({
      incomingId: '0123456789ab',
      vmId: 'bbbbbbbbbbbb',
    });
    expect(created).toEqual([expect.objectContaining({ migrationProtocol: MIGRATION_PROTOCOL_VERSION })]);
  });

  it("fails the check with a newer target's words, and its start with the same 409", async () => {
    const url = await newerTarget();
    const words = (source: string) =>
      `host-b (the target) speaks migration protocol 4, ${source} (the source) migration protocol 3: ` +
      `update virtweb on ${source} (the source)`;
    expect(await peerFacts(client(url), 'host-b')).toEqual({
      reachable: false,
      name: 'host-b',
      message: words(here),
      otherProtocol: true,
    });
    // The request names its sender (the plan's `source.hostname`).
    const start = await postIncoming(client(url), request).catch((e: unknown) => e);
    expect(start).toBeInstanceOf(PeerCallError);
    expect(start).toMatchObject({
      status: 409,
      code: 'migration_version_mismatch',
      peerMessage: words('host-a'),
    });
    expect((start as Error).message).toBe(`${url}: ${words('host-a')}`);
  });

  it('fails the check of a target from before versions (no handshake), telling to update it', async () => {
    const url = await serve(express.Router());
    expect(await peerFacts(client(url), 'host-b')).toEqual({
      reachable: false,
      name: 'host-b',
      message:
        'host-b (the target) speaks a migration protocol older than 1 (no version), this host (the source) ' +
        'migration protocol 3: update virtweb on host-b (the target)',
      otherProtocol: true,
    });
  });

  it('reports a target that does not answer as before', async () => {
    const url = await serve(express.Router());
    await Promise.all(closers.splice(0).map((close) => close()));
    const facts = await peerFacts(client(url), 'host-b');
    expect(facts).toMatchObject({ reachable: false, name: 'host-b' });
    expect(facts).not.toHaveProperty('otherProtocol');
  });
});
