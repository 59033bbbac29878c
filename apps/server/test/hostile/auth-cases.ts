import zlib from 'node:zlib';
import { ErrorCode } from '@virtweb/protocol';
import { contentType, harmlessBody, routeRequest, showExpect, type HttpCase } from './check.ts';
import { SCOPES, UNAUTHENTICATED, WHO, type Who } from './fixture.ts';
import { GUARDED, routeName, scopeAllows, type Expect, type RouteSpec } from './routes.ts';

function expectedFor(route: RouteSpec, who: Who): { expect: Expect; code?: string } {
  if ((UNAUTHENTICATED as readonly Who[]).includes(who))
    return { expect: [401], code: ErrorCode.unauthorized };
  if (who === 'session') return { expect: route.harmless.expect };
  const scope = who as (typeof SCOPES)[number];
  if (scopeAllows(route, scope)) return { expect: route.harmless.expect };
  // NOTE: "who am I" and "log out" concern a browser session: a token has none (401) or may not ask (403).
  if (route.need === 'self') return { expect: [401, 403] };
  return { expect: [403], code: ErrorCode.forbidden };
}

/** Every guarded route as every kind of caller: no, bad, logged-out, revoked credentials, each scope. */
export function authMatrixCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const route of GUARDED) {
    for (const who of WHO) {
      const { expect, code } = expectedFor(route, who);
      cases.push({
        name: `${routeName(route)} · ${who} → ${showExpect(expect)}`,
        expect,
        ...(code ? { code } : {}),
        build: (fx) => routeRequest(fx, route, who),
      });
    }
  }
  return cases;
}

/** Bodies an unauthenticated caller sends: refused (401) before a byte of them is parsed. */
const UNPARSED_BODIES: { label: string; headers: Record<string, string>; body: Buffer | string }[] = [
  { label: 'malformed JSON', headers: { 'content-type': 'application/json' }, body: '{"oops' },
  {
    label: '200 KiB JSON',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pad: 'x'.repeat(200 * 1024) }),
  },
  {
    label: 'garbage gzip',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: 'this is not gzip',
  },
  {
    label: 'gzip bomb',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)),
  },
  {
    label: 'unsupported encoding',
    headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
    body: '{}',
  },
];

export function unauthenticatedBodyCases(): HttpCase[] {
  return GUARDED.filter((x) => x.method !== 'GET').flatMap((route) =>
    UNPARSED_BODIES.map((b): HttpCase => ({
      name: `${routeName(route)} · none + ${b.label} → 401`,
      expect: [401],
      code: ErrorCode.unauthorized,
      build: (fx) => routeRequest(fx, route, 'none', { headers: b.headers, body: b.body }),
    })),
  );
}

const EVIL = 'http://evil.example';

/** Cookie requests that a browser on another site could make: refused (403); Bearer ones are exempt. */
export function csrfCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const route of GUARDED.filter((x) => x.method !== 'GET')) {
    const body = harmlessBody(route) ?? 'x';
    const rightType = contentType(route);
    const wrongType = rightType === 'application/json' ? 'text/plain' : 'application/json';
    const refused = (
      label: string,
      headers: (origin: string, port: number) => Record<string, string | undefined>,
    ): HttpCase => ({
      name: `${routeName(route)} · cookie ${label} → 403`,
      expect: [403],
      code: ErrorCode.forbidden,
      build: async (fx) => {
        const req = await routeRequest(fx, route, 'session', { body });
        const merged: Record<string, string> = {};
        for (const [k, v] of Object.entries({ ...req.headers, ...headers(fx.origin, fx.port) }))
          if (v !== undefined) merged[k] = v;
        return { ...req, headers: merged };
      },
    });
    cases.push(
      refused('without Origin', () => ({ origin: undefined, 'content-type': rightType })),
      refused('from another site', () => ({ origin: EVIL, 'content-type': rightType })),
      refused('with Origin: null', () => ({ origin: 'null', 'content-type': rightType })),
      refused('from another port', (_o, port) => ({
        origin: `http://127.0.0.1:${port + 1}`,
        'content-type': rightType,
      })),
      refused('from a look-alike host', (_o, port) => ({
        origin: `http://127.0.0.1:${port}.evil.example`,
        'content-type': rightType,
      })),
      refused('with Sec-Fetch-Site: cross-site', () => ({
        origin: undefined,
        'sec-fetch-site': 'cross-site',
        'content-type': rightType,
      })),
      refused('with Sec-Fetch-Site: same-site', () => ({
        origin: undefined,
        'sec-fetch-site': 'same-site',
        'content-type': rightType,
      })),
      refused(`same origin, ${wrongType} body`, (o) => ({ origin: o, 'content-type': wrongType })),
      refused('same origin, form body', (o) => ({
        origin: o,
        'content-type': 'application/x-www-form-urlencoded',
      })),
      refused('same origin, body without Content-Type', (o) => ({ origin: o, 'content-type': undefined })),
    );
    const harmless = route.harmless.expect;
    cases.push({
      name: `${routeName(route)} · cookie, no Origin but Sec-Fetch-Site: same-origin → ${showExpect(harmless)}`,
      expect: harmless,
      build: async (fx) => {
        const req = await routeRequest(fx, route, 'session');
        const { origin: _origin, ...rest } = req.headers ?? {};
        return { ...req, headers: { ...rest, 'sec-fetch-site': 'same-origin' } };
      },
    });
    if (!scopeAllows(route, 'admin')) continue;
    cases.push({
      name: `${routeName(route)} · Bearer admin from another site, text/plain → not 401|403 (exempt)`,
      expect: { not: [401, 403] },
      build: (fx) =>
        routeRequest(fx, route, 'admin', { headers: { origin: EVIL, 'content-type': 'text/plain' }, body }),
    });
  }
  return cases;
}
