import { ErrorCode } from '@virtweb/protocol';
import { showExpect, type HttpCase } from './check.ts';
import type { Fixture } from './fixture.ts';
import type { RawRequest } from './raw-http.ts';
import type { Expect } from './routes.ts';

const raw = (fx: Fixture, text: string): RawRequest => ({
  method: 'RAW',
  path: text.split('\r\n')[0] ?? '',
  raw: text.replace('Host: HOST', `Host: 127.0.0.1:${fx.port}`),
});

/** Requests broken below the API (request line, headers, framing): a 4xx the API's way, and the server lives. */
export function httpEdgeCases(): HttpCase[] {
  const cases: [string, Expect, (fx: Fixture) => RawRequest][] = [
    [
      'a 20 KiB URL',
      [414, 431],
      (fx) => ({ method: 'GET', path: `/api/images/${'a'.repeat(20 * 1024)}`, headers: fx.auth('session') }),
    ],
    [
      'a 40 KiB header',
      [431],
      (fx) => ({
        method: 'GET',
        path: '/api/vms',
        headers: { ...fx.auth('session'), 'x-pad': 'a'.repeat(40 * 1024) },
      }),
    ],
    [
      'an unknown method',
      [400, 404, 405, 501],
      (fx) => raw(fx, 'FOO /api/vms HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n'),
    ],
    [
      'PATCH where no route takes it',
      [404, 405],
      (fx) => ({
        method: 'PATCH',
        path: '/api/vms',
        headers: { ...fx.auth('session'), 'content-type': 'application/json' },
      }),
    ],
    [
      'a space in the path',
      [400],
      (fx) => raw(fx, 'GET /api/images/a b HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n'),
    ],
    [
      'a NUL in a header',
      [400],
      (fx) => raw(fx, 'GET /api/vms HTTP/1.1\r\nHost: HOST\r\nX-A: a\u0000b\r\nConnection: close\r\n\r\n'),
    ],
    [
      'two different Content-Lengths',
      [400],
      (fx) =>
        raw(
          fx,
          'POST /api/images HTTP/1.1\r\nHost: HOST\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}x',
        ),
    ],
    [
      'Content-Length and chunked together',
      [400],
      (fx) =>
        raw(
          fx,
          'POST /api/images HTTP/1.1\r\nHost: HOST\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
        ),
    ],
    [
      'a malformed chunk',
      [400],
      (fx) =>
        raw(
          fx,
          `POST /api/images HTTP/1.1\r\nHost: HOST\r\nCookie: ${fx.cookie}\r\nOrigin: ${fx.origin}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
        ),
    ],
    [
      'a negative Content-Length',
      [400],
      (fx) =>
        raw(fx, 'POST /api/images HTTP/1.1\r\nHost: HOST\r\nContent-Length: -1\r\nConnection: close\r\n\r\n'),
    ],
  ];
  return cases.map(([what, expect, build]) => ({
    name: `HTTP ${what} → ${showExpect(expect)}`,
    expect,
    build: (fx) => build(fx),
  }));
}

const login = (
  fx: Fixture,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): RawRequest => ({
  method: 'POST',
  path: '/api/session',
  headers: { origin: fx.origin, ...headers },
  body,
});

/** Logging in with broken bodies (400/413/415) and wrong passwords (401, or 429 once throttled). Run last. */
export function loginCases(): HttpCase[] {
  const cases: [string, Expect, (fx: Fixture) => RawRequest, string?][] = [
    ['malformed JSON', [400], (fx) => login(fx, '{"password":'), ErrorCode.validation],
    ['JSON array', [400], (fx) => login(fx, '[]')],
    ['a number password', [400], (fx) => login(fx, '{"password":123}')],
    ['an empty password', [400], (fx) => login(fx, '{"password":""}')],
    [
      'a 2000-character password',
      [400, 413],
      (fx) => login(fx, JSON.stringify({ password: 'x'.repeat(2000) })),
    ],
    ['an unknown field', [400], (fx) => login(fx, JSON.stringify({ password: 'x', admin: true }))],
    ['a __proto__ field', [400], (fx) => login(fx, '{"__proto__":{"admin":true},"password":"x"}')],
    [
      '70 KiB of JSON',
      [413],
      (fx) => login(fx, JSON.stringify({ password: 'x'.repeat(70 * 1024) })),
      ErrorCode.tooLarge,
    ],
    [
      'Content-Encoding: x-unknown',
      [415],
      (fx) => login(fx, '{}', { 'content-type': 'application/json', 'content-encoding': 'x-unknown' }),
    ],
    [
      'garbage gzip',
      [400],
      (fx) => login(fx, 'nope', { 'content-type': 'application/json', 'content-encoding': 'gzip' }),
    ],
    [
      'charset=utf-16',
      [400, 415],
      (fx) => login(fx, '{}', { 'content-type': 'application/json; charset=utf-16' }),
    ],
    [
      // A form could send this one cross-site: refused like the cross-site rule refuses it.
      'the password as text/plain',
      [403],
      (fx) => login(fx, JSON.stringify({ password: fx.server.password }), { 'content-type': 'text/plain' }),
    ],
    ['a wrong password', [401, 429], (fx) => login(fx, JSON.stringify({ password: 'wrong' }))],
    // NOTE: scrypt's HMAC pads a short key with zero bytes, so "pw\0" hashes as "pw" does: refusing it is the
    // server's own job (400 when the schema refuses control characters).
    [
      'a password with NUL',
      [400],
      (fx) => login(fx, JSON.stringify({ password: `${fx.server.password ?? ''}\u0000` })),
    ],
    [
      'the password with a trailing space',
      [401, 429],
      (fx) => login(fx, JSON.stringify({ password: `${fx.server.password ?? ''} ` })),
    ],
  ];
  return cases.map(([what, expect, build, code]) => ({
    name: `POST /api/session · ${what} → ${showExpect(expect)}`,
    expect,
    ...(code ? { code } : {}),
    build,
    verify: (res) => (res.headers['set-cookie'] ? 'a refused login set a cookie' : undefined),
  }));
}
