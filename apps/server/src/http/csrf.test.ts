import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { csrfRefusal, sameHost } from './csrf.ts';

const HOST = '127.0.0.1:8080';
const SAME = `http://${HOST}`;
const JSON_TYPE = 'application/json';

function refusal(method: string, path: string, headers: IncomingHttpHeaders): string | undefined {
  return csrfRefusal({ method, path, headers: { host: HOST, ...headers } });
}

describe('csrfRefusal (requests made with the session cookie)', () => {
  it('lets safe methods through whatever they carry', () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      expect(refusal(method, '/api/vms', { origin: 'http://evil.example' })).toBeUndefined();
    }
  });

  it("passes this page's own JSON requests, with or without a charset", () => {
    expect(refusal('POST', '/api/vms/x/start', { origin: SAME, 'content-type': JSON_TYPE })).toBeUndefined();
    const withCharset = { origin: SAME, 'content-type': 'Application/JSON; charset=utf-8' };
    expect(refusal('DELETE', '/api/vms/x', withCharset)).toBeUndefined();
  });

  it("refuses the issue's reproduction: another origin with text/plain", () => {
    const why = refusal('POST', '/api/vms/x/start', {
      origin: 'http://evil.example',
      'content-type': 'text/plain',
    });
    expect(why).toMatch(/cross-origin.*evil\.example/);
  });

  it('refuses another port of the same host (the same site for SameSite, not the same origin)', () => {
    const why = refusal('POST', '/api/vms/x/start', {
      origin: 'http://127.0.0.1:9999',
      'content-type': JSON_TYPE,
    });
    expect(why).toMatch(/cross-origin/);
  });

  it('refuses an opaque or malformed Origin', () => {
    expect(refusal('POST', '/api/vms', { origin: 'null', 'content-type': JSON_TYPE })).toMatch(
      /cross-origin/,
    );
    expect(refusal('POST', '/api/vms', { origin: 'http://', 'content-type': JSON_TYPE })).toMatch(
      /cross-origin/,
    );
  });

  it('without Origin, needs Sec-Fetch-Site: same-origin', () => {
    expect(refusal('POST', '/api/vms', { 'content-type': JSON_TYPE })).toMatch(/needs an Origin header/);
    const crossSite = { 'sec-fetch-site': 'same-site', 'content-type': JSON_TYPE };
    expect(refusal('POST', '/api/vms', crossSite)).toMatch(/needs an Origin header/);
    const sameOrigin = { 'sec-fetch-site': 'same-origin', 'content-type': JSON_TYPE };
    expect(refusal('POST', '/api/vms', sameOrigin)).toBeUndefined();
  });

  it('needs the JSON content type (a cross-site form can send only form and text types), also without a body', () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      undefined,
    ]) {
      const why = refusal('POST', '/api/vms/x/start', { origin: SAME, 'content-type': type });
      expect(why, String(type)).toMatch(/needs Content-Type: application\/json/);
    }
  });

  it('needs application/octet-stream for an upload, and JSON for everything else', () => {
    const upload = '/api/images/disk.qcow2/upload';
    const octets = { origin: SAME, 'content-type': 'application/octet-stream' };
    expect(refusal('PUT', upload, octets)).toBeUndefined();
    expect(refusal('PUT', upload, { origin: SAME, 'content-type': JSON_TYPE })).toMatch(/octet-stream/);
    expect(refusal('PUT', upload, { origin: SAME, 'content-type': 'text/plain' })).toMatch(/octet-stream/);
    expect(refusal('PUT', '/api/vms/x', octets)).toMatch(/application\/json/);
  });
});

describe('sameHost', () => {
  it('compares the host and port of Origin with the Host header', () => {
    expect(sameHost('http://localhost:8080', 'localhost:8080')).toBe(true);
    expect(sameHost('https://Virt.Example', 'virt.example')).toBe(true);
    expect(sameHost('http://[::1]:8080', '[::1]:8080')).toBe(true);
    expect(sameHost('http://localhost:8081', 'localhost:8080')).toBe(false);
    expect(sameHost('http://localhost:8080', undefined)).toBe(false);
  });

  it('lets a login without Origin through (a script), but not a cross-site one or one that is not JSON', () => {
    const login = (headers: IncomingHttpHeaders): string | undefined =>
      csrfRefusal({ method: 'POST', path: '/api/session', headers: { host: HOST, ...headers } }, false);
    expect(login({ 'content-type': JSON_TYPE })).toBeUndefined();
    expect(login({ origin: 'http://evil.example', 'content-type': JSON_TYPE })).toMatch(/cross-origin/);
    expect(login({ 'content-type': 'text/plain' })).toMatch(/Content-Type/);
  });
});
