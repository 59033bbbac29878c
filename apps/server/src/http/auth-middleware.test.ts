// The API's guard on a small app with the real session and token stores: credentials (401), the cross-site
// rule for the session cookie (403), the scope of ROUTE_SCOPES (403 naming it), in that order.
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { SESSION_COOKIE, type TokenScope } from '@virtweb/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiTokenStore } from '../auth/api-tokens.ts';
import { Revocations } from '../auth/revocations.ts';
import { SessionStore } from '../auth/sessions.ts';
import { UsersRepo } from '../auth/users-repo.ts';
import { openDb, type Db } from '../store/db.ts';
import { Authenticator, requireAuth } from './auth-middleware.ts';
import { errorHandler } from './errors.ts';

let db: Db;
let tokens: ApiTokenStore;
let url = '';
let cookie = '';
/** A session of a user with the read role. */
let readCookie = '';
let close: () => void = () => undefined;
/** The routes that ran (a refused request must run none). */
const ran: string[] = [];

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vw-auth-'));
  db = openDb(path.join(dir, 'virtweb.db'));
  const revocations = new Revocations();
  const sessions = new SessionStore(db, revocations);
  tokens = new ApiTokenStore(db, revocations);
  const users = new UsersRepo(db);
  cookie = `${SESSION_COOKIE}=${sessions.create(users.insert('admin', 'admin', 'x').id).token}`;
  readCookie = `${SESSION_COOKIE}=${sessions.create(users.insert('rita', 'read', 'x').id).token}`;

  const app = express();
  const api = express.Router();
  api.use(requireAuth(new Authenticator(sessions, tokens)));
  const done = (status: number) => (req: express.Request, res: express.Response) => {
    ran.push(`${req.method} ${req.path}`);
    res.status(status).json({});
  };
  api.get('/vms', done(200));
  api.post('/vms/:id/start', done(202));
  api.post('/vms/:id/signal', done(202));
  api.put('/images/:name/upload', done(201));
  api.get('/tokens', done(200));
  app.use('/api', api);
  app.use(errorHandler);
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  close = () => {
    server.close();
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
});
afterAll(() => close());

async function call(
  method: string,
  urlPath: string,
  headers: Record<string, string>,
): Promise<{ status: number; message: string }> {
  ran.length = 0;
  const res = await fetch(url + urlPath, { method, headers });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  return { status: res.status, message: body.error?.message ?? '' };
}

const bearer = (scope: TokenScope): Record<string, string> => ({
  authorization: `Bearer ${tokens.create(`t-${scope}`, scope).token}`,
});

const START = '/api/vms/0123456789ab/start';

describe('requireAuth', () => {
  it('answers 401 without a valid credential', async () => {
    expect((await call('GET', '/api/vms', {})).status).toBe(401);
    expect((await call('GET', '/api/vms', { cookie: `${SESSION_COOKIE}=nope` })).status).toBe(401);
  });

  it('refuses a cookie request from another origin with text/plain, and runs nothing', async () => {
    const res = await call('POST', START, {
      cookie,
      origin: 'http://evil.example',
      'content-type': 'text/plain',
    });
    expect(res).toEqual({ status: 403, message: expect.stringMatching(/cross-origin/) as unknown });
    expect(ran).toEqual([]);
  });

  it("takes the page's own cookie requests (Origin or Sec-Fetch-Site, JSON or, to upload, octets)", async () => {
    const json = { cookie, 'content-type': 'application/json' };
    expect((await call('POST', START, { ...json, origin: url })).status).toBe(202);
    expect((await call('POST', START, { ...json, 'sec-fetch-site': 'same-origin' })).status).toBe(202);
    const octets = { cookie, origin: url, 'content-type': 'application/octet-stream' };
    expect((await call('PUT', '/api/images/a.iso/upload', octets)).status).toBe(201);
    expect((await call('POST', START, { cookie, origin: url })).message).toMatch(/needs Content-Type/);
  });

  it('exempts Bearer requests from the cross-site rule', async () => {
    const res = await call('POST', START, {
      ...bearer('operate'),
      origin: 'http://evil.example',
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(202);
  });

  it('refuses a scope too small with 403 naming the scope needed', async () => {
    const read = bearer('read');
    expect((await call('GET', '/api/vms', read)).status).toBe(200);
    expect(await call('POST', START, read)).toEqual({
      status: 403,
      message: 'POST /api/vms/0123456789ab/start needs the operate scope (this token has read)',
    });
    expect((await call('POST', '/api/vms/0123456789ab/signal', bearer('operate'))).message).toMatch(
      /needs the admin scope/,
    );
    expect((await call('POST', '/api/vms/0123456789ab/signal', bearer('admin'))).status).toBe(202);
    expect((await call('POST', START, bearer('peer'))).status).toBe(403);
    expect((await call('GET', '/api/vms', bearer('peer'))).status).toBe(200);
    expect(ran).toEqual(['GET /vms']);
  });

  it('keeps token and peer management for a logged-in user, not for an admin token', async () => {
    expect((await call('GET', '/api/tokens', { cookie })).status).toBe(200);
    expect(await call('GET', '/api/tokens', bearer('admin'))).toEqual({
      status: 403,
      message: 'GET /api/tokens is only for a logged-in user, not for API tokens',
    });
  });

  it("gives a session its user's role: 403 naming the role needed and the user", async () => {
    const json = { cookie: readCookie, origin: url, 'content-type': 'application/json' };
    expect((await call('GET', '/api/vms', { cookie: readCookie })).status).toBe(200);
    expect(await call('POST', START, json)).toEqual({
      status: 403,
      message: 'POST /api/vms/0123456789ab/start needs the operate role (user rita has read)',
    });
    expect(await call('GET', '/api/tokens', { cookie: readCookie })).toEqual({
      status: 403,
      message: 'GET /api/tokens needs the admin role (user rita has read)',
    });
    expect(ran).toEqual([]);
  });

  it('judges a request with a Bearer token by that alone, and one with Basic auth (a proxy) by the cookie', async () => {
    expect((await call('GET', '/api/vms', { cookie, authorization: 'Bearer vwt_wrong' })).status).toBe(401);
    expect((await call('GET', '/api/tokens', { cookie, ...bearer('admin') })).status).toBe(403);
    expect((await call('GET', '/api/tokens', { cookie, authorization: 'Basic dTpw' })).status).toBe(200);
  });
});
