import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { closesConnection, rawRequest } from './edge-helpers.ts';
import { apiError, imagesDirEntries, WsCollector } from './harness.ts';
import { MiB, putUpload } from './images-helpers.ts';
import { useServer } from './server-fixture.ts';

const BODY_TIMEOUT_S = 1.5;
const UPLOAD_IDLE_S = 1;
const HEADERS_TIMEOUT_S = 2;

// The HTTP edge (issue 12): what a client can do before and around authentication, with small timeouts.
describe('HTTP edge', () => {
  const server = useServer({
    env: {
      VIRTWEB_BODY_TIMEOUT: String(BODY_TIMEOUT_S),
      VIRTWEB_UPLOAD_IDLE: String(UPLOAD_IDLE_S),
      VIRTWEB_HEADERS_TIMEOUT: String(HEADERS_TIMEOUT_S),
    },
  });
  const { dataDir } = server;
  let token: string;
  const bearer = () => ({ authorization: `Bearer ${token}` });
  const images = () => imagesDirEntries(path.join(dataDir, 'images'));

  beforeAll(async () => {
    token = (await server.makeToken('operate', 'edge-test')).token;
  });

  it('cuts off slow login bodies within the deadline (they used to stay open for ever)', async () => {
    const slow = (length: number) =>
      rawRequest(server, {
        head: `POST /api/session HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: ${length}`,
        body: '{"password":"',
        trickleMs: 300,
      });
    const answers = await Promise.all([
      ...[1, 2, 3, 4, 5].map(() => slow(60_000)),
      ...[1, 2, 3].map(() => slow(500)),
    ]);
    for (const a of answers) {
      expect(a.closedAfterMs).toBeLessThan((BODY_TIMEOUT_S + 2) * 1000);
      expect(closesConnection(a), a.head).toBe(true);
    }
    // Over the login's 1 KiB: refused at once, unread; under it: 408 at the deadline.
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([413, 413, 413, 413, 413]);
    expect(answers.slice(5).map((a) => a.status)).toEqual([408, 408, 408]);
    expect(JSON.parse(answers[5]!.body)).toMatchObject({ error: { code: 'request_timeout' } });
  });

  it('reads no body before authentication: 401 for a large, malformed or slow one', async () => {
    for (const body of ['{"name": "x", ' + '"pad": "'.padEnd(100_000, 'a') + '"}', '{not json', '"x"']) {
      const res = await server.api('POST', '/api/vms', body, '');
      expect(res.status, body.slice(0, 20)).toBe(401);
      expect(apiError(res.body).code).toBe('unauthorized');
    }
    const slow = await rawRequest(server, {
      head: 'POST /api/vms HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 60000',
      body: '{',
      trickleMs: 300,
    });
    expect(slow.status).toBe(401);
    expect(closesConnection(slow)).toBe(true);
    expect(slow.closedAfterMs).toBeLessThan(1000);
    // Outside the API too: the web app's files are sent, and the unread body does not keep the socket.
    for (const method of ['GET', 'POST']) {
      const page = await rawRequest(server, {
        head: `${method} / HTTP/1.1\r\nContent-Length: 60000`,
        body: 'x',
        trickleMs: 300,
      });
      // 503 when the web app is not built.
      expect(method === 'GET' ? [200, 503] : [404], method).toContain(page.status);
      expect(closesConnection(page), method).toBe(true);
      expect(page.closedAfterMs, method).toBeLessThan(1000);
    }
  });

  it('cuts off a slow JSON body of an authenticated request at the deadline', async () => {
    const slow = await rawRequest(server, {
      head: `POST /api/images HTTP/1.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 5000`,
      body: '{"name":"',
      trickleMs: 300,
    });
    expect(slow.status).toBe(408);
    expect(slow.closedAfterMs).toBeLessThan((BODY_TIMEOUT_S + 2) * 1000);
  });

  it('closes a request whose headers arrive too slowly', async () => {
    const t0 = Date.now();
    const slow = await rawRequest(server, {
      head: 'GET / HTTP/1.1\r\nX-Slow: 1',
      endHead: false,
      timeoutMs: 20_000,
    });
    // Node checks every second; the connection never got to a blank line.
    expect(slow.closedAfterMs).toBeLessThan((HEADERS_TIMEOUT_S + 3) * 1000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_S * 1000 - 100);
    expect(slow.status).toBe(408);
  });

  it('answers 415 to an unknown Content-Encoding and 400 to a broken one, and takes gzip and br', async () => {
    const post = (encoding: string, body: Buffer, type = 'application/json') =>
      fetch(`${server.url}/api/images`, {
        method: 'POST',
        headers: { ...bearer(), 'content-type': type, 'content-encoding': encoding },
        body,
      });
    const json = (name: string) => Buffer.from(JSON.stringify({ name, format: 'raw', size: '1M' }));
    const evil = await post('x-evil', json('evil.img'));
    expect(evil.status).toBe(415);
    expect(await evil.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    for (const encoding of ['gzip', 'br', 'deflate']) {
      const broken = await post(encoding, Buffer.from('garbage, not compressed'));
      expect(broken.status, encoding).toBe(400);
      expect(apiError(await broken.json()).message).toMatch(new RegExp(`not valid ${encoding}`));
    }
    expect((await post('gzip', gzipSync(json('gz.img')))).status).toBe(201);
    expect((await post('br', brotliCompressSync(json('br.img')))).status).toBe(201);
    // A non-JSON body on a JSON route is a 400, never a 500.
    const plain = await post('identity', json('plain.img'), 'text/plain');
    expect(plain.status).toBe(400);
    const session = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'password=x',
    });
    // A form could send this one cross-site: the login refuses it like the cross-site rule does.
    expect(session.status).toBe(403);
    expect(apiError(await session.json()).message).toMatch(/Content-Type: application\/json/);
    expect(await images()).toEqual(['br.img', 'gz.img']);
  });

  it('refuses a compressed upload (415): the raw body is the file', async () => {
    const body = gzipSync(Buffer.alloc(MiB));
    const res = await fetch(`${server.url}/api/images/packed.img/upload`, {
      method: 'PUT',
      headers: { ...bearer(), 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' },
      body,
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
    expect(await images()).not.toContain('packed.img');
  });

  it('answers 400 to malformed percent-escapes and request targets, in the API and outside it', async () => {
    for (const p of ['/api/images/%E0%A4%A', '/api/images/%E0%A4%A/resize', '/assets/%E0%A4%A', '/%']) {
      const res = await fetch(`${server.url}${p}`, { headers: bearer() });
      expect(res.status, p).toBe(400);
      expect(apiError(await res.json()).code, p).toBe('bad_request');
    }
    const target = await rawRequest(server, { head: 'GET http://[ HTTP/1.1' });
    expect(target.status).toBe(400);
    const upgrade = await rawRequest(server, {
      head:
        'GET http://[ HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    });
    expect(upgrade.status).toBe(400);
    // The server is still there.
    expect((await server.api('GET', '/api/session')).status).toBe(200);
  });

  it('cuts off an upload that stalls longer than the idle timeout and leaves no file', async () => {
    const url = new URL('/api/images/stalled.img/upload', server.url);
    const answer = await new Promise<{ status: number; afterMs: number }>((resolve) => {
      const t0 = Date.now();
      const req = http.request(url, {
        method: 'PUT',
        headers: { ...bearer(), 'content-type': 'application/octet-stream', 'content-length': 4 * MiB },
      });
      req.on('response', (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, afterMs: Date.now() - t0 });
      });
      req.on('error', () => resolve({ status: -1, afterMs: Date.now() - t0 }));
      req.write(Buffer.alloc(MiB, 3));
      // ... and nothing more.
    });
    expect([408, -1]).toContain(answer.status);
    expect(answer.afterMs).toBeLessThan((UPLOAD_IDLE_S + 3) * 1000);
    const t0 = Date.now();
    while ((await images()).some((n) => n.includes('stalled')) && Date.now() - t0 < 5000)
      await new Promise((r) => setTimeout(r, 100));
    expect((await fs.readdir(path.join(dataDir, 'images'))).filter((n) => n.includes('stalled'))).toEqual([]);
    // Nor a lock: the name is free again.
    const again = await putUpload(server, 'stalled.img', Buffer.alloc(MiB), MiB);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  });

  it('takes an upload that lasts longer than every timeout as long as bytes keep coming', async () => {
    const chunk = Buffer.alloc(64 * 1024, 5);
    const chunks = 16;
    const body = new PassThrough();
    const done = putUpload(server, 'steady.img', body, chunk.length * chunks);
    for (let i = 0; i < chunks; i++) {
      body.write(chunk);
      await new Promise((r) => setTimeout(r, 300)); // the slow pace is what is tested
    }
    body.end();
    // 16 x 300 ms: longer than the body deadline, the idle timeout and the headers timeout.
    const res = await done;
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: 'steady.img', virtualSize: chunk.length * chunks });
  });

  it('keeps a websocket open far past every timeout', async () => {
    const events = new WsCollector(server.ws('/api/events'));
    await events.opened();
    // What is checked is that nothing happens: the socket is still open after every timeout has passed.
    await new Promise((r) => setTimeout(r, (HEADERS_TIMEOUT_S + 2) * 1000));
    expect(events.closed).toBeUndefined();
    expect(
      (await server.api('POST', '/api/images', { name: 'ping.img', format: 'raw', size: '1M' })).status,
    ).toBe(201);
    await events.waitFor((c) => c.text.includes('images.changed'), 'images.changed', 5000);
    events.ws.close();
  });

  it('logged no stack trace and no internal error for any of this', () => {
    expect(server.output).not.toMatch(/internal error|\n\s+at /);
  });
});
