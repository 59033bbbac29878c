import { ErrorCode } from '@virtweb/protocol';
import { label, showExpect, type HttpCase } from './check.ts';
import type { Fixture, Targets } from './fixture.ts';
import { FIELD_SITES } from './field-sites.ts';
import { IMAGE_SITES, type NameSite, type SiteRequest } from './name-sites.ts';
import type { RawRequest } from './raw-http.ts';
import type { Expect } from './routes.ts';

function siteRequest(fx: Fixture, r: SiteRequest): RawRequest {
  const body = r.raw ?? (r.body === undefined ? undefined : JSON.stringify(r.body));
  const type = r.raw === undefined ? 'application/json' : 'application/octet-stream';
  return {
    method: r.method,
    path: r.path,
    // As the web app does: every request but a GET says its type, with or without a body.
    headers: { ...fx.auth('session'), ...(r.method === 'GET' ? {} : { 'content-type': type }) },
    ...(body === undefined ? {} : { body }),
  };
}

function siteCase(site: NameSite, v: string): HttpCase | undefined {
  const accepted = site.schema?.safeParse(v).success === true && site.serverRefuses?.(v) !== true;
  const build = (fx: Fixture) => siteRequest(fx, site.request(fx.t, v));
  if (!accepted) {
    const expect: Expect = site.refused ?? [400, 404];
    return { name: `${site.label} · ${label(v)} → ${showExpect(expect)}`, expect, build };
  }
  if (site.accepted === undefined || site.accepted === 'skip') return undefined;
  const when = site.accepted;
  return {
    name: `${site.label} · ${label(v)} (valid) → ${showExpect(when.expect)}`,
    expect: when.expect,
    build,
    ...(when.verify ? { verify: (res, fx) => when.verify?.(res, v, fx) } : {}),
    ...(when.cleanup ? { cleanup: when.cleanup } : {}),
  };
}

/** Traversal, pseudo-protocol and argv-injection values in every name, id and free-text field. */
export function nameCases(): HttpCase[] {
  const cases: HttpCase[] = [];
  for (const site of [...IMAGE_SITES, ...FIELD_SITES]) {
    for (const v of new Set(site.values)) {
      const c = siteCase(site, v);
      if (c) cases.push(c);
    }
  }
  return cases;
}

/** A path written as is on the request line (no encoding, no `..` resolution by the client). */
interface RawPath {
  method: string;
  path: (t: Targets) => string;
  expect: Expect;
  code?: string;
  /** What a request without credentials gets, when not 401. */
  unauthenticated?: Expect;
}

const traversal = (method: string, path: (t: Targets) => string): RawPath => ({
  method,
  path,
  expect: [400, 404],
});
const malformed = (method: string, path: (t: Targets) => string): RawPath => ({
  method,
  path,
  expect: [400],
  code: ErrorCode.badRequest,
  // NOTE: a malformed escape is refused before authentication (nothing of the API is reached or revealed).
  unauthenticated: [400],
});

const RAW_PATHS: RawPath[] = [
  traversal('GET', () => '/api/images/../../etc/passwd'),
  traversal('GET', () => '/api/images/..'),
  traversal('GET', () => '/api/images/.'),
  traversal('GET', () => '/api/images/%2e%2e'),
  traversal('GET', () => '/api/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd'),
  traversal('GET', () => '/api/images/..%5c..%5cetc%5cpasswd'),
  traversal('DELETE', () => '/api/images/../images/disk.qcow2'),
  traversal('DELETE', () => '/api/images/.%2fdisk.qcow2'),
  traversal('POST', () => '/api/images/..%2fimages%2fdisk.qcow2/resize'),
  traversal('GET', () => '/api/vms/../../etc/passwd'),
  traversal('GET', () => '/api/../api/tokens/../vms'),
  traversal('POST', () => '/api/saved-states/../../etc/passwd/restore'),
  traversal('DELETE', () => '/api/saved-states/..%2ffixture.vmstate.zst'),
  traversal('DELETE', (t) => `/api/vms/${t.stoppedId}/snapshots/../../x`),
  traversal('GET', (t) => `/api/vms/${t.stoppedId}/..;/..;/tokens`),
  traversal('GET', () => '/api/images/disk.qcow2%00.iso'),
  malformed('GET', () => '/api/images/%'),
  malformed('GET', () => '/api/images/%zz'),
  malformed('GET', () => '/api/images/%E0%A4%A'),
  malformed('GET', () => '/api/images/%C0%AF'),
  malformed('GET', () => '/api/images/%ff'),
  malformed('DELETE', () => '/api/images/%ED%A0%80'),
  malformed('POST', () => '/api/images/%zz/resize'),
  malformed('PUT', () => '/api/images/%/upload'),
  malformed('POST', () => '/api/vms/%/start'),
  malformed('GET', () => '/api/vms/%C0%AE%C0%AE'),
  malformed('POST', () => '/api/saved-states/%zz/restore'),
  malformed('DELETE', () => '/api/saved-states/%'),
  malformed('DELETE', () => '/api/tokens/%'),
  malformed('POST', () => '/api/migrations/%zz/cancel'),
  malformed('GET', () => '/api/migrations/incoming/%'),
  malformed('POST', (t) => `/api/vms/${t.stoppedId}/snapshots/%E0/revert`),
  malformed('DELETE', (t) => `/api/vms/${t.stoppedId}/disks/%`),
  malformed('POST', () => '/api/peers/%/vms/ffffffffffff/start'),
];

/** Paths with raw `..` segments and malformed percent-escapes, as the cookie and without credentials. */
export function rawPathCases(): HttpCase[] {
  return RAW_PATHS.flatMap((p) => {
    const shown = p.path({ stoppedId: ':id' } as Targets);
    const request = (fx: Fixture, authed: boolean): RawRequest => ({
      method: p.method,
      path: p.path(fx.t),
      headers: {
        ...fx.auth(authed ? 'session' : 'none'),
        ...(p.method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
    });
    const none = p.unauthenticated ?? [401];
    return [
      {
        name: `${p.method} ${shown} · cookie → ${showExpect(p.expect)}`,
        expect: p.expect,
        ...(p.code ? { code: p.code } : {}),
        build: (fx: Fixture) => request(fx, true),
      },
      {
        name: `${p.method} ${shown} · none → ${showExpect(none)}`,
        expect: none,
        code: p.unauthenticated ? ErrorCode.badRequest : ErrorCode.unauthorized,
        build: (fx: Fixture) => request(fx, false),
      },
    ];
  });
}
