import zlib from 'node:zlib';
import { ErrorCode } from '@virtweb/protocol';
import { INCOMING_BODY_LIMIT } from '../../src/migration/incoming-api.ts';
import { routeRequest, showExpect, type HttpCase } from './check.ts';
import { GUARDED, routeName, type Expect, type RouteSpec } from './routes.ts';

/** A body with its headers (Content-Type application/json unless they say otherwise). */
interface BodyVariant {
  label: string;
  body: (base: string) => Buffer | string;
  headers?: Record<string, string>;
  expect: Expect;
  code?: string;
  /** A schema refusal: the answer lists the fields (`details`). */
  details?: boolean;
  /** Refused by the JSON parser itself, whatever the route (routes without a body get these too). */
  parser?: boolean;
}

const JSON_TYPE = { 'content-type': 'application/json' };
const KiB = 1024;

const MALFORMED = ['{', '{"a":}', '[1,]', 'nul', '{"a":1}}', "{'a':1}", '{"a":1,}', '\u00ef\u00bb{}'];
const NOT_OBJECTS = ['[]', '"a string"', '42', 'null', 'true'];

/** Where the route's body schema is applied to a harmless body plus one more field. */
const withField = (base: string, key: string, value: unknown = 1): string => {
  const obj = JSON.parse(base === '' ? '{}' : base) as Record<string, unknown>;
  return JSON.stringify({ ...obj, [key]: value });
};

function jsonVariants(typeErrors: Expect, oversizeBytes: number): BodyVariant[] {
  const v: BodyVariant[] = [];
  for (const m of MALFORMED) {
    v.push({
      label: `malformed JSON ${JSON.stringify(m)}`,
      body: () => m,
      expect: [400],
      code: ErrorCode.validation,
      parser: true,
    });
  }
  for (const j of NOT_OBJECTS)
    v.push({ label: `JSON ${j} instead of an object`, body: () => j, expect: typeErrors });
  v.push(
    { label: 'an unknown field', body: (b) => withField(b, 'zzUnknown'), expect: typeErrors, details: true },
    {
      label: 'a __proto__ field',
      body: (b) => `{"__proto__":{"polluted":true},${(b === '' ? '{}' : b).slice(1)}`.replace(',}', '}'),
      expect: typeErrors,
    },
    {
      label: 'a constructor.prototype field',
      body: (b) => withField(b, 'constructor', { prototype: { polluted: true } }),
      expect: typeErrors,
    },
    {
      label: 'a field name with invalid UTF-8',
      body: () => Buffer.concat([Buffer.from('{"zz'), Buffer.from([0xff, 0xfe]), Buffer.from('":1}')]),
      expect: typeErrors,
    },
    {
      label: '30000 nested arrays',
      body: () => `${'['.repeat(30_000)}${']'.repeat(30_000)}`,
      expect: typeErrors,
    },
    {
      label: `${Math.round(oversizeBytes / KiB)} KiB of JSON`,
      body: () => JSON.stringify({ pad: 'x'.repeat(oversizeBytes) }),
      expect: [413],
      code: ErrorCode.tooLarge,
      parser: true,
    },
  );
  for (const enc of ['compress', 'zstd', 'x-unknown', 'gzip, x-unknown']) {
    v.push({
      label: `Content-Encoding: ${enc}`,
      body: (b) => b || '{}',
      headers: { ...JSON_TYPE, 'content-encoding': enc },
      expect: [415],
    });
  }
  for (const enc of ['gzip', 'deflate', 'br']) {
    v.push({
      label: `garbage ${enc}`,
      body: () => 'definitely not compressed',
      headers: { ...JSON_TYPE, 'content-encoding': enc },
      expect: [400],
    });
  }
  v.push(
    {
      label: 'truncated gzip',
      body: (b) => zlib.gzipSync(b || '{}').subarray(0, 12),
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      expect: [400],
    },
    {
      label: 'a gzip bomb (8 MiB inflated)',
      body: () => zlib.gzipSync(Buffer.alloc(8 * 1024 * KiB, 0x20)),
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      // NOTE: 413 when gzip is inflated (up to the limit), 415 when the server takes no compressed bodies.
      expect: [413, 415],
    },
  );
  // NOTE: the JSON parser reads UTF-16 too: UTF-8 bytes declared as UTF-16 are then merely invalid JSON.
  for (const [charset, expect] of [
    ['utf-16', [400, 415]],
    ['latin1', [415]],
    ['x-bogus', [415]],
  ] as const) {
    v.push({
      label: `charset=${charset}`,
      body: (b) => b || '{}',
      headers: { 'content-type': `application/json; charset=${charset}` },
      expect: [...expect],
    });
  }
  return v;
}

/** Routes that read no body at all, so no JSON parser stands in front of them (a body is ignored). */
const UNPARSED = new Set(['DELETE /api/session']);

/** Routes whose target checks the migration protocol version before the body's shape (409 first). */
const VERSION_FIRST = new Set(['POST /api/migrations/incoming/handshake', 'POST /api/migrations/incoming']);

/**
 * Malformed, mis-typed, oversized and mis-encoded bodies on every route that takes a body (400/413/415), and
 * malformed or oversized JSON on the routes that take none (the parser sees them all).
 */
export function bodyCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  const nonGet = GUARDED.filter((x) => x.method !== 'GET' && x.body !== 'raw' && !UNPARSED.has(routeName(x)));
  for (const route of nonGet) {
    const typeErrors: Expect = VERSION_FIRST.has(routeName(route)) ? [400, 409] : [400];
    // Just over each limit: the incoming request carries a UEFI store and a serial log.
    const oversize = route.path === '/api/migrations/incoming' ? INCOMING_BODY_LIMIT + 8 * KiB : 70 * KiB;
    const all = jsonVariants(typeErrors, oversize);
    // A route without a body still has the parser in front of it: malformed and oversized JSON only.
    const variants = route.body === 'json' ? all : all.filter((x) => x.parser === true);
    for (const v of variants) cases.push(bodyCase(route, v));
  }
  return cases;
}

function bodyCase(route: RouteSpec, v: BodyVariant): HttpCase {
  const expect = v.expect;
  return {
    name: `${routeName(route)} · ${v.label} → ${showExpect(expect)}`,
    expect,
    ...(v.code ? { code: v.code } : {}),
    build: (fx) => {
      const base = route.harmless.body === undefined ? '' : JSON.stringify(route.harmless.body);
      return routeRequest(fx, route, 'session', { body: v.body(base), headers: v.headers ?? JSON_TYPE });
    },
    verify: (res) => {
      if (!v.details || res.status !== 400) return undefined;
      const details = (res.json as { error?: { details?: unknown[] } } | undefined)?.error?.details;
      return Array.isArray(details) && details.length > 0 ? undefined : 'a 400 without details';
    },
  };
}
