import { ApiErrorBodySchema } from '@virtweb/protocol';
import type { Fixture, Who } from './fixture.ts';
import type { RawRequest, RawResponse } from './raw-http.ts';
import type { Expect, RouteSpec } from './routes.ts';

/** One generated HTTP case: a request, the status it must get, and what else must hold afterwards. */
export interface HttpCase {
  name: string;
  build: (fx: Fixture) => RawRequest | Promise<RawRequest>;
  expect: Expect;
  /** Default true: VMs, images and states are the same afterwards. */
  unchanged?: boolean;
  /** Default true: a 4xx answer is `{error:{code,message}}`. */
  errorShape?: boolean;
  /** The error code a refusal must carry. */
  code?: string;
  /** More to check on the answer: a problem, or undefined. */
  verify?: (res: RawResponse, fx: Fixture) => string | undefined | Promise<string | undefined>;
  /** Undo what an accepted case made (e.g. a token). */
  cleanup?: (res: RawResponse, fx: Fixture) => Promise<void>;
}

export function matches(status: number, expect: Expect): boolean {
  return Array.isArray(expect) ? expect.includes(status) : !expect.not.includes(status);
}

export function showExpect(expect: Expect): string {
  return Array.isArray(expect) ? expect.join('|') : `not ${expect.not.join('|')}`;
}

/** Runs a case and throws one error listing every broken expectation. */
export async function runHttpCase(fx: Fixture, c: HttpCase): Promise<void> {
  const req = await c.build(fx);
  const res = await fx.send(req);
  const problems: string[] = [];
  if (!matches(res.status, c.expect)) problems.push(`status ${res.status}, expected ${showExpect(c.expect)}`);
  if (res.status >= 500) problems.push(`a ${res.status}: nothing a client sends may cause one`);
  if (res.status >= 400 && c.errorShape !== false) {
    const shape = ApiErrorBodySchema.safeParse(res.json);
    if (!shape.success) problems.push('the answer is not {error:{code,message}}');
    else if (c.code !== undefined && shape.data.error.code !== c.code && matches(res.status, c.expect)) {
      problems.push(`error code ${shape.data.error.code}, expected ${c.code}`);
    }
  }
  const extra = await c.verify?.(res, fx);
  if (extra) problems.push(extra);
  await c.cleanup?.(res, fx);
  const after = await fx.afterCase(c.unchanged !== false);
  if (after) problems.push(after);
  if (problems.length > 0) {
    const body = res.body.toString('utf8').slice(0, 300);
    throw new Error(
      `${c.name}\n  ${problems.join('\n  ')}\n  request: ${req.method} ${req.path.slice(0, 200)}\n  answer: ${res.status} ${body}`,
    );
  }
}

/** The request a route's harmless call makes as `who`, with these headers and body instead when given. */
export async function routeRequest(
  fx: Fixture,
  route: RouteSpec,
  who: Who,
  over: { headers?: Record<string, string>; body?: Buffer | string; path?: string } = {},
): Promise<RawRequest> {
  const h = route.harmless;
  const cookie = h.throwawaySession && who === 'session' ? await fx.spareSession() : fx.cookie;
  const body = over.body ?? harmlessBody(route);
  const type = contentType(route);
  return {
    method: route.method,
    path: over.path ?? h.path(fx.t),
    headers: {
      ...fx.auth(who, cookie),
      // As the web app does: every request but a GET says its type, with or without a body.
      ...(route.method === 'GET' ? {} : { 'content-type': type }),
      ...over.headers,
    },
    ...(body === undefined ? {} : { body }),
  };
}

/** The bytes of a route's harmless request: its upload, its JSON, or none. */
export function harmlessBody(route: RouteSpec): string | undefined {
  const h = route.harmless;
  return h.raw ?? (h.body === undefined ? undefined : JSON.stringify(h.body));
}

/** The Content-Type a browser uses for the route's body. */
export function contentType(route: RouteSpec): string {
  return route.harmless.raw === undefined ? 'application/json' : 'application/octet-stream';
}

/** Percent-encodes every byte but the unreserved ones (encodeURIComponent throws on lone surrogates). */
export function encodeSegment(s: string): string {
  return [...Buffer.from(s, 'utf8')]
    .map((b) =>
      /[A-Za-z0-9\-._~]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
    )
    .join('');
}

/** A short, printable form of a hostile string for a test name. */
export function label(s: string): string {
  const shown = JSON.stringify(s.length > 40 ? `${s.slice(0, 24)}…(${s.length} chars)` : s);
  return shown.slice(1, -1);
}
