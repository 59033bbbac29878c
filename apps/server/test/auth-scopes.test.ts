// Authorisation on a real server with a real guest: token scopes on routes and websockets, the cross-site
// rule for the session cookie, and revoking a token or ending a session closing its open websockets.
import { beforeAll, describe, expect, it } from 'vitest';
import { apiError, createGuest, TestServer, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { upgradeWith } from './user-helpers.ts';

const server = useServer({ withGuestIso: true });
let vmId = '';
/** One token per scope. */
const tokens = { read: '', operate: '', admin: '', peer: '' };
type Scope = keyof typeof tokens;

beforeAll(async () => {
  vmId = (await createGuest(server, 'scoped', { memoryMiB: 128 })).id;
  for (const scope of Object.keys(tokens) as Scope[]) tokens[scope] = (await server.makeToken(scope)).token;
}, 60_000);

const state = async (): Promise<string> =>
  ((await server.api('GET', `/api/vms/${vmId}`)).body as { state: string }).state;

/** The status of a websocket upgrade, and its error message when refused. */
const upgrade = (path: string, headers: Record<string, string>) => upgradeWith(server, path, headers);

const bearer = (scope: Scope): Record<string, string> => ({ authorization: `Bearer ${tokens[scope]}` });

const NO_VM = '0'.repeat(12);

describe('token scopes on routes', () => {
  /** [scope, method, path, status, body, the 403's words]: a sample of what each scope reaches and is refused. */
  const cases: [Scope, string, string, number, unknown, RegExp?][] = [
    ['read', 'GET', '/api/vms', 200, undefined],
    ['read', 'GET', '/api/host/metrics', 200, undefined],
    ['read', 'GET', `/api/vms/${NO_VM}/log`, 404, undefined],
    [
      'read',
      'POST',
      `/api/vms/${NO_VM}/start`,
      403,
      undefined,
      /needs the operate scope \(this token has read\)/,
    ],
    // The screen is read's (view-only); the serial log is not.
    ['read', 'GET', `/api/vms/${NO_VM}/screenshot.png`, 404, undefined],
    ['read', 'GET', `/api/vms/${NO_VM}/serial.log`, 403, undefined, /needs the operate scope/],
    ['read', 'POST', '/api/migrations/incoming/handshake', 403, {}, /needs the peer scope/],
    ['operate', 'POST', '/api/images', 201, { name: 'op.qcow2', format: 'qcow2', size: '1M' }],
    ['operate', 'DELETE', '/api/images/op.qcow2', 204, undefined],
    ['operate', 'POST', `/api/vms/${NO_VM}/signal`, 403, { signal: 'SIGTERM' }, /needs the admin scope/],
    ['operate', 'POST', '/api/migrations/incoming/handshake', 403, {}, /needs the peer scope/],
    ['peer', 'GET', '/api/peers/self', 200, undefined],
    ['peer', 'GET', '/api/images', 200, undefined],
    ['peer', 'POST', '/api/migrations/incoming/handshake', 409, { migrationProtocol: 0 }],
    ['peer', 'GET', '/api/host/metrics', 403, undefined, /needs the read scope \(this token has peer\)/],
    [
      'peer',
      'POST',
      '/api/images',
      403,
      { name: 'p.qcow2', format: 'qcow2', size: '1M' },
      /needs the operate scope/,
    ],
    ['peer', 'DELETE', '/api/images/tinylinux.iso', 403, undefined, /needs the operate scope/],
    ['admin', 'POST', `/api/vms/${NO_VM}/signal`, 404, { signal: 'SIGTERM' }],
    ['admin', 'POST', '/api/migrations/incoming/handshake', 409, { migrationProtocol: 0 }],
    ['admin', 'GET', '/api/tokens', 403, undefined, /only for a logged-in user/],
  ];

  it.each(cases)('%s: %s %s → %i', async (scope, method, path, status, body, message) => {
    const res = await server.bearer(method, path, tokens[scope], body);
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    if (status === 403)
      expect(apiError(res.body)).toMatchObject({
        code: 'forbidden',
        message: expect.stringMatching(message ?? /./) as unknown,
      });
  });

  it('lets a peer token take back an image it uploaded (a failed move), and no other image', async () => {
    const upload = (token: string, name: string) =>
      server.request('PUT', `/api/images/${name}/upload`, 'sixteen bytes!!\n', {
        authorization: `Bearer ${token}`,
        'content-type': 'application/octet-stream',
      });
    const takeBack = (token: string, name: string) =>
      server.bearer('DELETE', `/api/migrations/incoming/uploads/${name}`, token);
    expect((await upload(tokens.peer, 'moved.raw')).status).toBe(201);
    expect((await upload(tokens.operate, 'mine.raw')).status).toBe(201);
    const otherPeer = await server.makeToken('peer', 'other peer');
    expect((await takeBack(otherPeer.token, 'moved.raw')).status).toBe(404);
    expect((await takeBack(tokens.peer, 'mine.raw')).status).toBe(404);
    expect((await takeBack(tokens.peer, 'tinylinux.iso')).status).toBe(404);
    expect((await takeBack(tokens.peer, 'moved.raw')).status).toBe(204);
    expect((await server.api('GET', '/api/images/moved.raw')).status).toBe(404);
    expect((await server.api('GET', '/api/images/mine.raw')).status).toBe(200);
    expect((await server.api('DELETE', `/api/tokens/${otherPeer.id}`)).status).toBe(204);
  });

  it('lists every token with its scope', async () => {
    const listed = (await server.api('GET', '/api/tokens')).body as { name: string; scope: string }[];
    expect(listed.map((t) => [t.name, t.scope])).toEqual(
      (Object.keys(tokens) as Scope[]).map((s) => [`test ${s}`, s]),
    );
  });
});

describe('the session cookie from another site', () => {
  it("refuses the issue's reproduction: cross-origin POST start with text/plain → 403, the guest stays off", async () => {
    const res = await server.request('POST', `/api/vms/${vmId}/start`, 'x', {
      cookie: server.cookie,
      origin: 'http://evil.example',
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(403);
    expect(apiError(res.body)).toMatchObject({
      code: 'forbidden',
      message: expect.stringMatching(/cross-origin/) as unknown,
    });
    // A form post from another port of this host: the same site, another origin.
    const otherPort = await server.request('POST', `/api/vms/${vmId}/start`, 'x', {
      cookie: server.cookie,
      origin: server.url.replace(/:\d+$/, ':1'),
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(otherPort.status).toBe(403);
    // What is checked is that nothing happens: the guest has not started half a second later.
    await new Promise((r) => setTimeout(r, 500));
    expect(await state()).not.toBe('running');
  });

  it('refuses a cross-site login (a form could send text/plain), lets a script log in without Origin', async () => {
    const login = (headers: Record<string, string>) =>
      server.request('POST', '/api/session', { password: server.password }, headers);
    expect((await login({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await login({ 'content-type': 'text/plain' })).status).toBe(403);
    expect((await login({})).status).toBe(204);
    expect((await login({ origin: server.url })).status).toBe(204);
  });

  it('lets the same request through with a token instead (Bearer is exempt): the guest starts', async () => {
    const res = await server.request('POST', `/api/vms/${vmId}/start`, 'x', {
      ...bearer('operate'),
      origin: 'http://evil.example',
      'content-type': 'text/plain',
    });
    expect(res.status).toBe(202);
    await expect.poll(state, { timeout: 30_000 }).toBe('running');
  });
});

describe('token scopes on websockets', () => {
  it('refuses the monitor and QMP to read, operate and peer tokens (403 naming admin), and opens them for admin', async () => {
    for (const console of ['monitor', 'qmp']) {
      const path = `/api/vms/${vmId}/${console}`;
      for (const scope of ['read', 'operate', 'peer'] as const) {
        const res = await upgrade(path, bearer(scope));
        expect(res, `${scope} ${console}`).toEqual({
          status: 403,
          message: `${path} needs the admin scope (this token has ${scope})`,
        });
      }
      expect(await upgrade(path, bearer('admin'))).toEqual({ status: 101 });
    }
  });

  it('gives events and the screen (view-only) to read, the serial console to operate, and neither to peer', async () => {
    expect((await upgrade('/api/events', bearer('read'))).status).toBe(101);
    expect((await upgrade('/api/events', bearer('peer'))).status).toBe(403);
    expect((await upgrade(`/api/vms/${vmId}/serial`, bearer('operate'))).status).toBe(101);
    expect((await upgrade(`/api/vms/${vmId}/serial`, bearer('read'))).status).toBe(403);
    expect((await upgrade(`/api/vms/${vmId}/vnc`, bearer('read'))).status).toBe(101);
    expect((await upgrade(`/api/vms/${vmId}/vnc`, bearer('peer'))).status).toBe(403);
  });
});

describe('revocation reaches open sockets', () => {
  /** Opens these sockets and waits until they are open. */
  const openAll = async (paths: string[], opts: Parameters<TestServer['ws']>[1]): Promise<WsCollector[]> => {
    const sockets = paths.map((p) => new WsCollector(server.ws(p, opts)));
    await Promise.all(sockets.map((s) => s.opened()));
    return sockets;
  };
  /** Waits (up to 5 s) until every socket closed; returns the slowest time after `since` and their codes. */
  const closedAfter = async (sockets: WsCollector[], since: number) => {
    await Promise.all(
      sockets.map((s) => s.waitFor((c) => c.closed !== undefined, 'the socket to close', 5000)),
    );
    return { ms: Date.now() - since, closes: sockets.map((s) => s.closed) };
  };

  it("revoking a token closes its events and serial sockets within a second, and no one else's", async () => {
    const { id, token } = await server.makeToken('operate', 'to revoke');
    const sockets = await openAll(['/api/events', `/api/vms/${vmId}/serial`], { token });
    const bystander = (await openAll(['/api/events'], { token: tokens.read }))[0];
    const t0 = Date.now();
    expect((await server.api('DELETE', `/api/tokens/${id}`)).status).toBe(204);
    const { ms, closes } = await closedAfter(sockets, t0);
    expect(ms).toBeLessThan(1000);
    expect(closes).toEqual([
      { code: 4401, reason: 'credential revoked' },
      { code: 4401, reason: 'credential revoked' },
    ]);
    expect(bystander?.closed).toBeUndefined();
    bystander?.ws.close();
  });

  it('logging out closes the sockets of that session within a second, not those of another', async () => {
    const other = new TestServer(server.dataDir, server.password);
    other.url = server.url;
    await other.login();
    const sockets = await openAll(['/api/events', `/api/vms/${vmId}/serial`], { cookie: other.cookie });
    const mine = (await openAll(['/api/events'], {}))[0];
    const t0 = Date.now();
    expect((await other.api('DELETE', '/api/session')).status).toBe(204);
    const { ms, closes } = await closedAfter(sockets, t0);
    expect(ms).toBeLessThan(1000);
    expect(closes.map((c) => c?.code)).toEqual([4401, 4401]);
    expect(mine?.closed).toBeUndefined();
    mine?.ws.close();
  });
});
