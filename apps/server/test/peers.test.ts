// Two real servers on loopback: API tokens, registering peers, health and capacity, guests by host.
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { apiError, makeDataDir, TestServer } from './harness.ts';
import { disposeServer, useServerPair } from './server-fixture.ts';

const [a, b] = useServerPair();

describe('API tokens', () => {
  it('a token is shown once, authenticates API calls, cannot manage tokens, and stops working when revoked', async () => {
    const created = await b.api('POST', '/api/tokens', { name: 'for host a', scope: 'peer' });
    expect(created.status).toBe(201);
    const { id, token } = created.body as { id: string; token: string };
    expect(token).toMatch(/^vwt_/);
    const listed = await b.api('GET', '/api/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect(listed.body).toEqual([expect.objectContaining({ id, name: 'for host a', scope: 'peer' })]);

    expect((await b.bearer('GET', '/api/vms', token)).status).toBe(200);
    expect((await b.bearer('GET', '/api/vms', `${token}x`)).status).toBe(401);
    expect((await b.bearer('GET', '/api/vms', 'vwt_nope')).status).toBe(401);
    // A token reaches the API, not token and peer management.
    expect((await b.bearer('POST', '/api/tokens', token, { name: 'more', scope: 'peer' })).status).toBe(403);
    expect((await b.bearer('GET', '/api/peers', token)).status).toBe(403);
    const listedAgain = (await b.api('GET', '/api/tokens')).body as { lastUsedAt?: string }[];
    expect(listedAgain[0]?.lastUsedAt).toBeDefined();

    expect((await b.api('DELETE', `/api/tokens/${id}`)).status).toBe(204);
    expect((await b.bearer('GET', '/api/vms', token)).status).toBe(401);
    expect((await b.api('DELETE', `/api/tokens/${id}`)).status).toBe(404);
  });

  it('opens websockets with a token, and refuses them without one', async () => {
    const { token } = await b.makeToken('read', 'ws');
    const open = (headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${b.url.replace('http', 'ws')}/api/events`, { headers });
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      });
    expect(await open({ authorization: `Bearer ${token}` })).toBe(101);
    expect(await open({ authorization: 'Bearer vwt_wrong' })).toBe(401);
  });

  it('refuses a token without a name or without a scope', async () => {
    expect((await b.api('POST', '/api/tokens', { name: ' ', scope: 'read' })).status).toBe(400);
    const noScope = await b.api('POST', '/api/tokens', { name: 'script' });
    expect(noScope.status).toBe(400);
    expect(JSON.stringify(noScope.body)).toContain('"path":"scope"');
    expect((await b.api('POST', '/api/tokens', { name: 'script', scope: 'root' })).status).toBe(400);
  });
});

describe('peers', () => {
  it('registers a peer only when it answers and takes the token, and shows its health and guests', async () => {
    // Admin: a also relays lifecycle actions to b's guests (a peer token is enough for the rest).
    const { token } = await b.makeToken('admin', 'peer a');

    const badUrl = await a.api('POST', '/api/peers', { url: 'ftp://x', token });
    expect(badUrl.status).toBe(400);
    const nobody = await a.api('POST', '/api/peers', { url: 'http://127.0.0.1:9', token });
    expect(nobody.status).toBe(400);
    expect(JSON.stringify(nobody.body)).toContain('"path":"url"');
    const wrongToken = await a.api('POST', '/api/peers', { url: b.url, token: 'vwt_wrong' });
    expect(wrongToken.status).toBe(400);
    expect(JSON.stringify(wrongToken.body)).toContain('"path":"token"');
    // A server cannot be its own peer.
    const { token: selfToken } = await a.makeToken('peer', 'self');
    const self = await a.api('POST', '/api/peers', { url: a.url, token: selfToken });
    expect(self.status).toBe(400);
    expect(JSON.stringify(self.body)).toContain('this server');

    const added = await a.api('POST', '/api/peers', { url: `${b.url}/`, token });
    expect(added.status).toBe(201);
    const peer = added.body as {
      id: string;
      url: string;
      health: { status: string };
      capacity?: { cpus: number };
    };
    expect(peer.url).toBe(b.url);
    expect(peer.health.status).toBe('ok');
    expect(peer.capacity?.cpus).toBeGreaterThan(0);
    const again = await a.api('POST', '/api/peers', { url: b.url.replace('127.0.0.1', 'localhost'), token });
    expect(again.status).toBe(409);

    // A guest defined on b shows up in a's guests-by-host list, under b.
    const vm = await b.api('POST', '/api/vms', { name: 'on-b', memoryMiB: 64, vcpus: 1, disks: [] });
    expect(vm.status).toBe(201);
    const cluster = (await a.api('GET', '/api/cluster/vms')).body as {
      host: string;
      vms: { name: string }[];
    }[];
    expect(cluster.map((h) => h.host)).toEqual(['local', peer.id]);
    expect(cluster[1]?.vms.map((v) => v.name)).toEqual(['on-b']);

    // Actions are relayed; the peer's refusal keeps its status and words.
    const vmId = (vm.body as { id: string }).id;
    const refused = await a.api('POST', `/api/peers/${peer.id}/vms/${vmId}/pause`);
    expect(refused.status).toBe(409);

    expect((await a.api('DELETE', `/api/peers/${peer.id}`)).status).toBe(204);
    expect((await a.api('GET', '/api/peers')).body).toEqual([]);
  });

  it('names servers by a display name: renamed on the Host page (admin), seen by peers that add them', async () => {
    const renamed = await b.api('PUT', '/api/host/name', { name: '  bravo  ' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'bravo' });
    expect((await b.api('GET', '/api/host')).body).toMatchObject({ name: 'bravo' });
    for (const bad of ['', ' ', 'x'.repeat(64), 'tab\there'])
      expect((await b.api('PUT', '/api/host/name', { name: bad })).status, bad).toBe(400);
    const { token: read } = await b.makeToken('read', 'reader');
    expect((await b.bearer('PUT', '/api/host/name', read, { name: 'nope' })).status).toBe(403);

    const { token } = await b.makeToken('peer', 'named');
    const added = await a.api('POST', '/api/peers', { url: b.url, token });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ name: 'bravo' });
    expect((await a.api('PUT', '/api/host/name', { name: 'alpha' })).status).toBe(200);
    const cluster = (await a.api('GET', '/api/cluster/vms')).body as { host: string; name: string }[];
    expect(cluster.map((h) => h.name)).toEqual(['alpha', 'bravo']);
    expect((await a.api('DELETE', `/api/peers/${(added.body as { id: string }).id}`)).status).toBe(204);
  });

  it('works with a peer token, which does not reach lifecycle actions there: the refusal says what is needed', async () => {
    const { token } = await b.makeToken('peer', 'peer only');
    const added = await a.api('POST', '/api/peers', { url: b.url, token });
    expect(added.status).toBe(201);
    const peer = added.body as { id: string; health: { status: string } };
    expect(peer.health.status).toBe('ok');
    const cluster = (await a.api('GET', '/api/cluster/vms')).body as {
      host: string;
      vms: { id: string }[];
    }[];
    const vmId = cluster.find((h) => h.host === peer.id)?.vms[0]?.id ?? '';
    expect(vmId).not.toBe('');

    const refused = await a.api('POST', `/api/peers/${peer.id}/vms/${vmId}/start`);
    expect(refused.status).toBe(403);
    expect(apiError(refused.body).message).toMatch(
      /needs the operate scope \(this token has peer\).*admin scope/,
    );
    expect((await a.api('DELETE', `/api/peers/${peer.id}`)).status).toBe(204);
  });

  it('shows a peer that stops answering as unreachable, with the reason', async () => {
    const c = new TestServer(await makeDataDir());
    await c.start();
    await c.login();
    try {
      const { token } = await c.makeToken('peer', 'a');
      const added = (await a.api('POST', '/api/peers', { url: c.url, token })).body as { id: string };
      await c.stop();
      const cluster = (await a.api('GET', '/api/cluster/vms')).body as { host: string; error?: string }[];
      expect(cluster.find((h) => h.host === added.id)?.error).toMatch(/did not answer/);
      await a.api('DELETE', `/api/peers/${added.id}`);
    } finally {
      await disposeServer(c);
    }
  });
});
