// A peer URL points wherever the user types: the server must not become a reader of other local services
// (their answers never appear in its errors) nor be blown up by an answer without end (read with a cap).
// Issue 12, "Peers as SSRF": each reproduced problem is one test here.
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { apiError } from './harness.ts';
import { useServer } from './server-fixture.ts';

const server = useServer();
const SECRET = 'TOP-SECRET-8d1f2a-do-not-leak';
const fakes: http.Server[] = [];

afterAll(async () => {
  await Promise.all(fakes.map((f) => new Promise((resolve) => f.close(resolve))));
});

/** A local service on loopback (not virtweb); its port. */
async function service(handler: http.RequestListener): Promise<number> {
  const s = http.createServer(handler);
  fakes.push(s);
  s.listen(0, '127.0.0.1');
  await new Promise((resolve) => s.once('listening', resolve));
  return (s.address() as AddressInfo).port;
}

/** The server's resident memory in bytes (VmRSS of its process). */
async function rssOf(pid: number): Promise<number> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error('no VmRSS');
  return Number(kb) * 1024;
}

const addPeer = (url: string) => server.api('POST', '/api/peers', { url, token: 'vwt_whatever' });

describe('peers as SSRF', () => {
  it('a local service answering 401, 404 or 500 with a body: 400, and the body is never quoted', async () => {
    for (const status of [401, 403, 404, 500]) {
      const plain = await service((_req, res) => res.writeHead(status).end(`${SECRET} plain ${status}`));
      const json = await service((_req, res) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: SECRET, error: SECRET }));
      });
      for (const port of [plain, json]) {
        const res = await addPeer(`http://127.0.0.1:${port}`);
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.body)).not.toContain(SECRET);
        expect(apiError(res.body).message).toBe(
          `the server at http://127.0.0.1:${port} answered HTTP ${status}, which is not a virtweb API answer`,
        );
        expect(apiError(res.body).details).toEqual([
          { path: 'url', message: 'no virtweb server answered at this URL' },
        ]);
      }
    }
  });

  it('the same for a URL that names loopback as one number (http://2130706433:port)', async () => {
    const port = await service((_req, res) => res.writeHead(404).end(SECRET));
    const res = await addPeer(`http://2130706433:${port}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
    expect(apiError(res.body).message).toMatch(/answered HTTP 404, which is not a virtweb API answer/);
  });

  it('a 200 answer that is not virtweb: refused without quoting it', async () => {
    const port = await service((_req, res) => res.writeHead(200).end(SECRET));
    const res = await addPeer(`http://127.0.0.1:${port}`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).not.toContain(SECRET);
  });

  it('only http and https URLs: file:, ftp:, data: and others are refused by the schema', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://127.0.0.1/', 'data:text/plain,hello', 'gopher://x:70/']) {
      const res = await addPeer(url);
      expect(res.status).toBe(400);
      expect(apiError(res.body).details?.[0]?.path).toBe('url');
    }
  });

  it('a "peer" streaming 256 MiB: the add fails with a size message, and the server stays small', async () => {
    const chunk = Buffer.alloc(2 ** 20, 'x');
    let sent = 0;
    const port = await service((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = (): void => {
        while (sent < 256 * 2 ** 20 && !res.destroyed) {
          sent += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const pid = server.pid();
    const before = await rssOf(pid);
    const res = await addPeer(`http://127.0.0.1:${port}`);
    const after = await rssOf(pid);
    expect(after - before).toBeLessThan(64 * 2 ** 20);
    expect(res.status).toBe(400);
    expect(apiError(res.body).message).toMatch(/answered more than 1 MiB/);
    // It stopped reading: far from all of it was sent.
    expect(sent).toBeLessThan(128 * 2 ** 20);
  }, 60_000);
});

describe('a registered peer that turns into something else', () => {
  it('health checks and the guests by host show no body of its error answers', async () => {
    const identity = JSON.stringify({ serverId: 'f00dfeedf00dfeed', hostname: 'evil' });
    const port = await service((req, res) => {
      if (req.url === '/api/peers/self') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(identity);
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' }).end(SECRET);
    });
    const added = await addPeer(`http://127.0.0.1:${port}`);
    expect(added.status).toBe(201);
    const peer = added.body as { id: string; health: { status: string; message?: string } };
    expect(peer.health.status).toBe('error');
    expect(peer.health.message).toMatch(/answered HTTP 500, which is not a virtweb API answer/);
    const listed = await server.api('GET', '/api/peers');
    expect(JSON.stringify(listed.body)).not.toContain(SECRET);
    const cluster = await server.api('GET', '/api/cluster/vms');
    expect(cluster.status).toBe(200);
    expect(JSON.stringify(cluster.body)).not.toContain(SECRET);
    expect(JSON.stringify(cluster.body)).toMatch(/answered HTTP 500/);
    expect((await server.api('DELETE', `/api/peers/${peer.id}`)).status).toBe(204);
  });

  it('a virtweb-shaped error answer is relayed, cut to a bounded length', async () => {
    const long = 'x'.repeat(100_000);
    const port = await service((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unauthorized', message: `no such token ${long}` } }));
    });
    const res = await addPeer(`http://127.0.0.1:${port}`);
    expect(res.status).toBe(400);
    const { message, details } = apiError(res.body);
    expect(message).toMatch(/refused the token: no such token x+…$/);
    expect(message?.length).toBeLessThan(1000);
    expect(details).toEqual([{ path: 'token', message: 'the peer refused this token' }]);
  });
});
