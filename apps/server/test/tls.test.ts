// TLS by default: a generated certificate, HTTPS with HSTS and a Secure cookie, plain HTTP on the same port
// redirected, websockets over wss, and a start that stops cleanly when the admin's key is not the certificate's.
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { rawRequest } from './edge-helpers.ts';
import { makeDataDir, TestServer, WsCollector } from './harness.ts';
import { disposeServer, useServer } from './server-fixture.ts';

const run = promisify(execFile);

/** A plain-HTTP GET on the server's port: status and Location. */
function plainGet(
  port: string,
  urlPath: string,
  host: string,
): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath, headers: { host } }, (res) => {
      res.resume();
      resolve({
        status: res.statusCode ?? 0,
        ...(res.headers.location ? { location: res.headers.location } : {}),
      });
    });
    req.on('error', reject);
  });
}

describe('a server with TLS on (the default)', () => {
  const server = useServer({ tls: true });

  it('serves https with the certificate generated in its data dir, printed and on the host page', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const pem = fs.readFileSync(path.join(server.dataDir, 'tls/cert.pem'));
    const cert = new crypto.X509Certificate(pem);
    expect(server.fingerprint).toBe(cert.fingerprint256);
    expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(cert.subjectAltName).toContain('DNS:localhost');
    expect(fs.statSync(path.join(server.dataDir, 'tls/key.pem')).mode & 0o777).toBe(0o600);
    const host = await server.api('GET', '/api/host');
    expect(host.body).toMatchObject({ tls: { fingerprint: cert.fingerprint256, source: 'generated' } });
  });

  it('answers with HSTS and sets the session cookie Secure', async () => {
    const res = await server.api('GET', '/api/host');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
    const login = await server.api('POST', '/api/session', { password: server.password });
    expect(login.status).toBe(204);
    expect(login.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
  });

  it('redirects a plain-HTTP request on the same port to https, keeping host and path', async () => {
    const port = new URL(server.url).port;
    const res = await plainGet(port, '/vms/abc?tab=1', `localhost:${port}`);
    expect(res).toEqual({ status: 308, location: `https://localhost:${port}/vms/abc?tab=1` });
    // A Host that is more than host[:port] is not echoed into a Location.
    expect(await plainGet(port, '/', 'evil.example/x')).toEqual({ status: 400 });
  });

  it('carries the events websocket over wss', async () => {
    const events = new WsCollector(server.ws('/api/events'));
    await events.opened();
    expect(events.ws.url).toMatch(/^wss:/);
    await events.waitFor((c) => c.text.includes('"hello"'), 'the hello event', 10_000);
    events.ws.close();
  });
});

describe('time limits over TLS', () => {
  const server = useServer({ tls: true, env: { VIRTWEB_HEADERS_TIMEOUT: '1' }, login: false });

  it('answers 408 to a TLS client whose headers never end, as to a plain one', async () => {
    const slow = await rawRequest(server, {
      head: 'GET /api/host HTTP/1.1',
      endHead: false,
      timeoutMs: 10_000,
    });
    expect(slow.status).toBe(408);
    expect(slow.closedAfterMs).toBeLessThan(4000);
  });

  it('closes a connection that sends nothing at all', async () => {
    const port = Number(new URL(server.url).port);
    const t0 = Date.now();
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
    });
    expect(Date.now() - t0).toBeLessThan(4000);
  });
});

describe('TLS start-up errors', () => {
  it('stops with a clear error, exit code 1 and nothing started when the key is not the certificate’s', async () => {
    const dataDir = await makeDataDir();
    const files = (n: string) => path.join(dataDir, n);
    for (const n of ['a', 'b']) {
      await run('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-subj',
        '/CN=x',
        '-days',
        '1',
        '-keyout',
        files(`${n}.key`),
        '-out',
        files(`${n}.crt`),
      ]);
    }
    const server = new TestServer(dataDir, undefined, {
      VIRTWEB_TLS: 'on',
      VIRTWEB_TLS_CERT: files('a.crt'),
      VIRTWEB_TLS_KEY: files('b.key'),
    });
    try {
      await expect(server.start()).rejects.toThrow(/server exited with 1/);
      expect(server.output).toContain(
        `virtweb: cannot start: the key ${files('b.key')} does not belong to the certificate ${files('a.crt')}`,
      );
      expect(server.output).not.toContain('listening');
      // Nothing half-started: the database was never opened.
      expect(fs.existsSync(files('virtweb.db'))).toBe(false);
    } finally {
      await disposeServer(server);
    }
  });
});
