// Peers over HTTPS: added in two steps (the certificate presented, then added with its fingerprint pinned),
// a certificate other than the pinned one refused with both fingerprints, and a live migration between two
// servers that both speak TLS.
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { apiError, type TestServer } from './harness.ts';
import {
  bootCounting,
  jobIn,
  lastTick,
  openSerial,
  tickAbove,
  twoServers,
  vmOf,
  type JobBody,
} from './migration-cluster.ts';

const cluster = twoServers({ tls: true });
const { a, b } = cluster;

/** A TCP relay on loopback to one server's port; `to` points it elsewhere and cuts the open connections. */
async function switchableRelay(
  first: TestServer,
): Promise<{ url: string; to: (s: TestServer) => void; close: () => void }> {
  let port = Number(new URL(first.url).port);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((from) => {
    const to = net.connect(port, '127.0.0.1');
    for (const s of [from, to]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    from.on('close', () => to.destroy());
    to.on('close', () => from.destroy());
    from.pipe(to);
    to.pipe(from);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayPort = (server.address() as net.AddressInfo).port;
  return {
    url: `https://127.0.0.1:${relayPort}`,
    to: (s) => {
      port = Number(new URL(s.url).port);
      for (const socket of sockets) socket.destroy();
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('peers over https', () => {
  it('adds a peer with the fingerprint of its certificate pinned (shown first, then confirmed)', async () => {
    const peers = (await a.api('GET', '/api/peers')).body as {
      id: string;
      url: string;
      fingerprint?: string;
    }[];
    expect(peers).toEqual([
      expect.objectContaining({ id: cluster.aToB, url: b.url, fingerprint: b.fingerprint }),
    ]);
    const cluster_ = (await a.api('GET', '/api/cluster/vms')).body as { host: string; error?: string }[];
    expect(cluster_.find((h) => h.host === cluster.aToB)?.error).toBeUndefined();
    // An https peer is not added without a confirmed fingerprint; http has none to show.
    const { token } = await b.makeToken('peer', 'no pin');
    const unconfirmed = await a.api('POST', '/api/peers', {
      url: `https://localhost:${new URL(b.url).port}`,
      token,
    });
    expect(unconfirmed.status).toBe(400);
    expect(apiError(unconfirmed.body).details?.[0]?.path).toBe('fingerprint');
    const plain = await a.api('POST', '/api/peers/certificate', { url: 'http://127.0.0.1:1' });
    expect(plain.body).toEqual({ url: 'http://127.0.0.1:1', fingerprint: null, names: [], validTo: '' });
  });

  it('refuses to add a peer whose certificate is not the confirmed one, saying both fingerprints', async () => {
    const { token } = await b.makeToken('peer', 'wrong pin');
    const url = `https://localhost:${new URL(b.url).port}`;
    const res = await a.api('POST', '/api/peers', { url, token, fingerprint: a.fingerprint });
    expect(res.status).toBe(409);
    expect(apiError(res.body).code).toBe('peer_certificate_mismatch');
    expect(apiError(res.body).message).toContain(`pinned ${a.fingerprint ?? '?'}`);
    expect(apiError(res.body).message).toContain(`presented ${b.fingerprint ?? '?'}`);
  });

  it('refuses a pinned peer that presents another certificate later (a server in between), with both fingerprints', async () => {
    const relay = await switchableRelay(a);
    try {
      const seen = await b.api('POST', '/api/peers/certificate', { url: relay.url });
      expect(seen.body).toMatchObject({ fingerprint: a.fingerprint });
      const { token } = await a.makeToken('admin', 'via relay');
      const added = await b.api('POST', '/api/peers', { url: relay.url, token, fingerprint: a.fingerprint });
      expect(added.status).toBe(201);
      const peerId = (added.body as { id: string }).id;

      relay.to(b); // now b's own certificate answers for "a"
      const res = await b.api('POST', `/api/peers/${peerId}/vms/ffffffffffff/start`);
      expect(res.status).toBe(409);
      expect(apiError(res.body).code).toBe('peer_certificate_mismatch');
      expect(apiError(res.body).message).toContain(
        `pinned ${a.fingerprint ?? '?'}, presented ${b.fingerprint ?? '?'}`,
      );
      const listed = (await b.api('GET', '/api/cluster/vms')).body as { host: string; error?: string }[];
      expect(listed.find((h) => h.host === peerId)?.error).toContain(`presented ${b.fingerprint ?? '?'}`);
      expect((await b.api('DELETE', `/api/peers/${peerId}`)).status).toBe(204);
    } finally {
      relay.close();
    }
  });

  it('moves a running guest live between two TLS servers', async () => {
    const guest = await bootCounting(a, 'tls-mover');
    const started = await a.api('POST', `/api/vms/${guest.id}/migrate`, { peer: cluster.aToB });
    expect(started.status).toBe(202);
    const done = await jobIn(a, (started.body as JobBody).id, ['completed']);
    const lastOnA = lastTick(guest.serial);
    const targetId = done.targetVmId ?? '';
    expect((await vmOf(b, targetId))?.state).toBe('running');
    expect(await vmOf(a, guest.id)).toBeUndefined();
    // The counter goes on over b's wss serial socket.
    const serialB = await openSerial(b, targetId);
    await tickAbove(serialB, lastOnA);
    serialB.ws.close();
  }, 240_000);
});
