import { MIGRATION_PROTOCOL_VERSION } from '@virtweb/protocol';
import type { Targets } from './fixture.ts';

/**
 * Who may call a route. `public`: anyone (log in). `self`: the browser's own session (who am I, log out).
 * `session`: only a browser session, never a token (tokens, peers, cluster). `peer`: peer or admin tokens.
 */
export type Need = 'public' | 'self' | 'session' | 'read' | 'operate' | 'admin' | 'peer';

/** An expected status: one of these, or anything but these. */
export type Expect = number[] | { not: number[] };

/** A request that gets past authentication and changes nothing (a refusal or a read). */
export interface Harmless {
  path: (t: Targets) => string;
  body?: unknown;
  expect: Expect;
  /** Upload bytes, sent as application/octet-stream instead of a JSON body. */
  raw?: string;
  /** The request ends its session: run it with a fresh one, never the fixture's. */
  throwawaySession?: boolean;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As the README's API table writes it. */
  path: string;
  need: Need;
  /** Also open to `peer` tokens (what peering and migration need). */
  peer?: boolean;
  /** For `session` routes: the least role a user needs (default `admin`). */
  role?: 'read' | 'operate';
  /** What the route reads: a JSON body (with a schema), raw bytes, or nothing. */
  body: 'json' | 'raw' | 'none';
  harmless: Harmless;
}

const NOBODY = 'ffffffffffff';
const CONFIG = { name: 'zz-config', memoryMiB: 256, vcpus: 1, nics: [] };

const r = (
  method: RouteSpec['method'],
  path: string,
  need: Need,
  body: RouteSpec['body'],
  harmless: Harmless,
  peer = false,
): RouteSpec => ({ method, path, need, body, harmless, peer });
/** A route only for logged-in users with at least `role`. */
const forUser = (
  role: 'read' | 'operate',
  method: RouteSpec['method'],
  path: string,
  body: RouteSpec['body'],
  harmless: Harmless,
): RouteSpec => ({ ...r(method, path, 'session', body, harmless), role });

const stopped = (tail: string) => (t: Targets) => `/api/vms/${t.stoppedId}${tail}`;
const running = (tail: string) => (t: Targets) => `/api/vms/${t.runningId}${tail}`;
const unknown = (tail: string) => (t: Targets) => `/api/vms/${t.unknownId}${tail}`;
const fixed = (p: string) => () => p;

/** Every /api route of the README's table and the routers, with a harmless request for each. */
export const ROUTES: RouteSpec[] = [
  r('POST', '/api/session', 'public', 'json', {
    path: fixed('/api/session'),
    body: { password: 'x' },
    expect: [401, 429],
  }),
  r('GET', '/api/session', 'self', 'none', { path: fixed('/api/session'), expect: [200] }),
  r('DELETE', '/api/session', 'self', 'none', {
    path: fixed('/api/session'),
    expect: [204],
    throwawaySession: true,
  }),

  r('GET', '/api/tokens', 'session', 'none', { path: fixed('/api/tokens'), expect: [200] }),
  r('POST', '/api/tokens', 'session', 'json', {
    path: fixed('/api/tokens'),
    body: { name: '', scope: 'read' },
    expect: [400],
  }),
  r('DELETE', '/api/tokens/:id', 'session', 'none', { path: fixed(`/api/tokens/${NOBODY}`), expect: [404] }),
  forUser('read', 'GET', '/api/peers', 'none', { path: fixed('/api/peers'), expect: [200] }),
  r('POST', '/api/peers', 'session', 'json', {
    path: fixed('/api/peers'),
    body: { url: 'http://127.0.0.1:1', token: 'vwt_nothing' },
    expect: [400],
  }),
  r('POST', '/api/peers/certificate', 'session', 'json', {
    path: fixed('/api/peers/certificate'),
    body: { url: 'https://127.0.0.1:1' },
    expect: [400],
  }),
  r('DELETE', '/api/peers/:id', 'session', 'none', { path: fixed(`/api/peers/${NOBODY}`), expect: [404] }),
  forUser('operate', 'POST', '/api/peers/:id/vms/:vmId/:action', 'none', {
    path: (t) => `/api/peers/${NOBODY}/vms/${t.runningId}/start`,
    expect: [404],
  }),
  forUser('read', 'GET', '/api/cluster/vms', 'none', { path: fixed('/api/cluster/vms'), expect: [200] }),

  r('GET', '/api/session/setup', 'public', 'none', { path: fixed('/api/session/setup'), expect: [200] }),
  r('POST', '/api/session/setup', 'public', 'json', {
    path: fixed('/api/session/setup'),
    body: { code: 'ABCD-EFGH-JKLM', name: 'first', password: 'long enough' },
    expect: [409],
  }),
  r('GET', '/api/users', 'session', 'none', { path: fixed('/api/users'), expect: [200] }),
  r('POST', '/api/users', 'session', 'json', {
    path: fixed('/api/users'),
    body: { name: '', password: 'long enough', role: 'read' },
    expect: [400],
  }),
  r('PUT', '/api/users/:name', 'session', 'json', {
    path: fixed('/api/users/nobody'),
    body: { role: 'read' },
    expect: [404],
  }),
  r('DELETE', '/api/users/:name', 'session', 'none', { path: fixed('/api/users/nobody'), expect: [404] }),
  r('PUT', '/api/users/:name/password', 'session', 'json', {
    path: fixed('/api/users/nobody/password'),
    body: { password: 'long enough' },
    expect: [404],
  }),
  r('DELETE', '/api/users/:name/totp', 'session', 'none', {
    path: fixed('/api/users/nobody/totp'),
    expect: [404],
  }),
  forUser('read', 'PUT', '/api/account/password', 'json', {
    path: fixed('/api/account/password'),
    body: { currentPassword: 'x', newPassword: 'short' },
    expect: [400],
  }),
  forUser('read', 'POST', '/api/account/totp', 'none', { path: fixed('/api/account/totp'), expect: [201] }),
  forUser('read', 'PUT', '/api/account/totp', 'json', {
    path: fixed('/api/account/totp'),
    body: { code: '12' },
    expect: [400],
  }),
  forUser('read', 'DELETE', '/api/account/totp', 'none', { path: fixed('/api/account/totp'), expect: [204] }),
  forUser('read', 'GET', '/api/sessions', 'none', { path: fixed('/api/sessions'), expect: [200] }),
  forUser('read', 'DELETE', '/api/sessions/:id', 'none', {
    path: fixed(`/api/sessions/${NOBODY}`),
    expect: [404],
  }),
  r('GET', '/api/peers/self', 'read', 'none', { path: fixed('/api/peers/self'), expect: [200] }, true),

  r('GET', '/api/host', 'read', 'none', { path: fixed('/api/host'), expect: [200] }, true),
  r('GET', '/api/host/metrics', 'read', 'none', { path: fixed('/api/host/metrics'), expect: [200] }),
  r('GET', '/api/host/usb', 'read', 'none', { path: fixed('/api/host/usb'), expect: [200] }),
  r('PUT', '/api/host/name', 'admin', 'json', {
    path: fixed('/api/host/name'),
    body: { name: '' },
    expect: [400],
  }),
  r('GET', '/api/vms/:id/metrics', 'read', 'none', { path: stopped('/metrics'), expect: [200] }),
  r('GET', '/api/vms/:id/process', 'read', 'none', { path: stopped('/process'), expect: [409] }),
  r('GET', '/api/vms/:id/log', 'read', 'none', { path: stopped('/log'), expect: [200] }),
  r('POST', '/api/vms/:id/signal', 'admin', 'json', {
    path: stopped('/signal'),
    body: { signal: 'SIGTERM' },
    expect: [409],
  }),

  r('GET', '/api/images', 'read', 'none', { path: fixed('/api/images'), expect: [200] }, true),
  r('POST', '/api/images', 'operate', 'json', {
    path: fixed('/api/images'),
    body: { name: 'disk.qcow2', format: 'qcow2', size: '1M' },
    expect: [409],
  }),
  r(
    'GET',
    '/api/images/:name',
    'read',
    'none',
    { path: (t) => `/api/images/${t.disk}`, expect: [200] },
    true,
  ),
  r('DELETE', '/api/images/:name', 'operate', 'none', {
    path: (t) => `/api/images/${t.disk}`,
    expect: [409],
  }),
  r('POST', '/api/images/:name/resize', 'operate', 'json', {
    path: fixed('/api/images/missing.qcow2/resize'),
    body: { size: '2M' },
    expect: [404],
  }),
  r('POST', '/api/images/:name/convert', 'operate', 'json', {
    path: (t) => `/api/images/${t.disk}/convert`,
    body: { target: 'tinylinux.iso', format: 'raw' },
    expect: [409],
  }),
  r(
    'PUT',
    '/api/images/:name/upload',
    'operate',
    'raw',
    { path: (t) => `/api/images/${t.disk}/upload`, raw: 'sixteen bytes...', expect: [409] },
    true,
  ),

  r('GET', '/api/vms', 'read', 'none', { path: fixed('/api/vms'), expect: [200] }, true),
  r('POST', '/api/vms', 'operate', 'json', {
    path: fixed('/api/vms'),
    body: { ...CONFIG, name: 'stopped' },
    expect: [409],
  }),
  r('POST', '/api/vms/preview', 'operate', 'json', {
    path: fixed('/api/vms/preview'),
    body: CONFIG,
    expect: [200],
  }),
  r('GET', '/api/vms/:id', 'read', 'none', { path: stopped(''), expect: [200] }, true),
  r('PUT', '/api/vms/:id', 'operate', 'json', { path: unknown(''), body: CONFIG, expect: [404] }),
  r('DELETE', '/api/vms/:id', 'operate', 'json', { path: running(''), expect: [409] }),
  r('GET', '/api/vms/:id/command-line', 'read', 'none', { path: stopped('/command-line'), expect: [200] }),
  r('GET', '/api/vms/:id/windows11', 'read', 'none', { path: stopped('/windows11'), expect: [200] }),
  r('POST', '/api/vms/:id/clone', 'operate', 'json', {
    path: running('/clone'),
    body: { name: 'clone1' },
    expect: [409],
  }),
  r('GET', '/api/vms/:id/agent', 'read', 'none', { path: stopped('/agent'), expect: [200] }),
  r('GET', '/api/vms/:id/balloon', 'read', 'none', { path: stopped('/balloon'), expect: [409] }),
  r('POST', '/api/vms/:id/balloon', 'operate', 'json', {
    path: stopped('/balloon'),
    body: { targetMiB: 128 },
    expect: [409],
  }),
  r('PUT', '/api/vms/:id/labels', 'operate', 'json', {
    path: stopped('/labels'),
    body: { tags: ['not a tag'] },
    expect: [400],
  }),
  r('PUT', '/api/vms/:id/autostart', 'operate', 'json', {
    path: stopped('/autostart'),
    body: { enabled: 'yes' },
    expect: [400],
  }),
  r('POST', '/api/vms/:id/start', 'operate', 'none', { path: running('/start'), expect: [409] }),
  ...(['shutdown', 'poweroff', 'reset', 'pause', 'resume'] as const).map((a) =>
    r('POST', `/api/vms/:id/${a}`, 'operate', 'none', { path: stopped(`/${a}`), expect: [409] }),
  ),
  r('POST', '/api/vms/:id/:action', 'operate', 'none', { path: stopped('/frobnicate'), expect: [404] }),

  r('GET', '/api/vms/:id/screenshot.png', 'read', 'none', {
    path: stopped('/screenshot.png'),
    expect: [409],
  }),
  r('GET', '/api/vms/:id/serial.log', 'operate', 'none', { path: stopped('/serial.log'), expect: [200] }),
  r('POST', '/api/vms/:id/send-keys', 'operate', 'json', {
    path: stopped('/send-keys'),
    body: { keys: 'ctrl-alt-delete' },
    expect: [409],
  }),
  r('POST', '/api/vms/:id/type', 'operate', 'json', {
    path: stopped('/type'),
    body: { text: 'x' },
    expect: [409],
  }),

  r('GET', '/api/vms/:id/disks', 'read', 'none', { path: stopped('/disks'), expect: [200] }),
  r('POST', '/api/vms/:id/disks', 'operate', 'json', {
    path: stopped('/disks'),
    body: { image: 'missing.qcow2' },
    expect: [400],
  }),
  r('PATCH', '/api/vms/:id/disks/:index', 'operate', 'json', {
    path: stopped('/disks/7'),
    body: { cache: 'none' },
    expect: [404],
  }),
  r('DELETE', '/api/vms/:id/disks/:index', 'operate', 'none', { path: stopped('/disks/7'), expect: [404] }),
  r('POST', '/api/vms/:id/nics', 'operate', 'json', {
    path: stopped('/nics'),
    body: { mode: 'bridge', bridge: 'nobr0' },
    expect: [400],
  }),
  r('PATCH', '/api/vms/:id/nics/:slot', 'operate', 'json', {
    path: stopped('/nics/7'),
    body: { linkUp: false },
    expect: [404],
  }),
  r('DELETE', '/api/vms/:id/nics/:slot', 'operate', 'none', { path: stopped('/nics/7'), expect: [404] }),
  // A device no host has plugged in (ffff:fffe): refused, nothing attached.
  r('POST', '/api/vms/:id/usb', 'operate', 'json', {
    path: stopped('/usb'),
    body: { vendorId: 'ffff', productId: 'fffe' },
    expect: [409],
  }),
  r('DELETE', '/api/vms/:id/usb/:slot', 'operate', 'none', { path: stopped('/usb/7'), expect: [404] }),
  r('GET', '/api/vms/:id/cdrom', 'read', 'none', { path: stopped('/cdrom'), expect: [200] }),
  r('PUT', '/api/vms/:id/cdrom', 'operate', 'json', {
    path: stopped('/cdrom'),
    body: { image: 'disk.qcow2' },
    expect: [400],
  }),
  r('GET', '/api/vms/:id/snapshots', 'read', 'none', { path: stopped('/snapshots'), expect: [200] }),
  r('POST', '/api/vms/:id/snapshots', 'operate', 'json', {
    path: unknown('/snapshots'),
    body: { name: 'snap1' },
    expect: [404],
  }),
  r('PUT', '/api/vms/:id/snapshots/:name', 'operate', 'json', {
    path: stopped('/snapshots/nosuch'),
    body: { description: 'x' },
    expect: [404],
  }),
  r('POST', '/api/vms/:id/snapshots/:name/revert', 'operate', 'none', {
    path: stopped('/snapshots/nosuch/revert'),
    expect: [404],
  }),
  r('DELETE', '/api/vms/:id/snapshots/:name', 'operate', 'none', {
    path: stopped('/snapshots/nosuch'),
    expect: [404],
  }),

  r('POST', '/api/vms/:id/migrate/check', 'operate', 'json', {
    path: unknown('/migrate/check'),
    body: { peer: NOBODY },
    expect: [404],
  }),
  r('POST', '/api/vms/:id/migrate', 'operate', 'json', {
    path: unknown('/migrate'),
    body: { peer: NOBODY },
    expect: [404],
  }),
  r('POST', '/api/vms/:id/save', 'operate', 'json', { path: stopped('/save'), body: {}, expect: [409] }),
  r('GET', '/api/migrations', 'read', 'none', { path: fixed('/api/migrations'), expect: [200] }),
  r('POST', '/api/migrations/:jobId/cancel', 'operate', 'none', {
    path: fixed(`/api/migrations/${NOBODY}/cancel`),
    expect: [404],
  }),
  r('GET', '/api/saved-states', 'read', 'none', { path: fixed('/api/saved-states'), expect: [200] }),
  r('GET', '/api/tasks', 'read', 'none', { path: fixed('/api/tasks?result=ok&limit=5'), expect: [200] }),

  // Connections to libvirt hosts: a harmless request is refused or reads (no connection is opened).
  r('GET', '/api/connections', 'read', 'none', { path: fixed('/api/connections'), expect: [200] }),
  r('POST', '/api/connections', 'admin', 'json', {
    path: fixed('/api/connections'),
    body: { uri: 'http://example.org/system' },
    expect: [400],
  }),
  r('GET', '/api/connections/:id', 'read', 'none', {
    path: fixed(`/api/connections/${NOBODY}`),
    expect: [404],
  }),
  r('DELETE', '/api/connections/:id', 'admin', 'none', {
    path: fixed(`/api/connections/${NOBODY}`),
    expect: [404],
  }),

  // Managed networks: every harmless request is refused or reads (nothing is made on the host).
  r('GET', '/api/networks', 'read', 'none', { path: fixed('/api/networks'), expect: [200] }),
  r('POST', '/api/networks', 'admin', 'json', {
    path: fixed('/api/networks'),
    body: { name: '', kind: 'isolated', subnet: '10.255.0.0/24' },
    expect: [400],
  }),
  r('GET', '/api/networks/:name', 'read', 'none', { path: fixed('/api/networks/nosuch'), expect: [404] }),
  r('DELETE', '/api/networks/:name', 'admin', 'none', {
    path: fixed('/api/networks/nosuch'),
    expect: [404],
  }),
  r('POST', '/api/networks/:name/start', 'admin', 'none', {
    path: fixed('/api/networks/nosuch/start'),
    expect: [404],
  }),
  r('POST', '/api/networks/:name/stop', 'admin', 'none', {
    path: fixed('/api/networks/nosuch/stop'),
    expect: [404],
  }),
  r('PUT', '/api/networks/:name/port-forwards', 'admin', 'json', {
    path: fixed('/api/networks/nosuch/port-forwards'),
    body: { portForwards: [] },
    expect: [404],
  }),
  r('POST', '/api/saved-states/:name/restore', 'operate', 'none', {
    path: fixed('/api/saved-states/missing.vmstate.zst/restore'),
    expect: [404],
  }),
  r('DELETE', '/api/saved-states/:name', 'operate', 'none', {
    path: fixed('/api/saved-states/missing.vmstate.zst'),
    expect: [404],
  }),

  r('POST', '/api/migrations/incoming/handshake', 'peer', 'json', {
    path: fixed('/api/migrations/incoming/handshake'),
    body: { migrationProtocol: MIGRATION_PROTOCOL_VERSION, source: { hostname: 'hostile' } },
    expect: [200],
  }),
  r('POST', '/api/migrations/incoming', 'peer', 'json', {
    path: fixed('/api/migrations/incoming'),
    body: { migrationProtocol: 999, source: { hostname: 'hostile' } },
    expect: [409],
  }),
  r('GET', '/api/migrations/incoming/:id', 'peer', 'none', {
    path: fixed(`/api/migrations/incoming/${NOBODY}`),
    expect: [404],
  }),
  r('POST', '/api/migrations/incoming/:id/finish', 'peer', 'none', {
    path: fixed(`/api/migrations/incoming/${NOBODY}/finish`),
    expect: [404],
  }),
  r('DELETE', '/api/migrations/incoming/:id', 'peer', 'none', {
    path: fixed(`/api/migrations/incoming/${NOBODY}`),
    expect: [404],
  }),
  r('DELETE', '/api/migrations/incoming/uploads/:name', 'peer', 'none', {
    path: fixed('/api/migrations/incoming/uploads/never-uploaded.qcow2'),
    expect: [404],
  }),
  r('DELETE', '/api/migrations/incoming/old-copies/:name', 'peer', 'none', {
    path: fixed('/api/migrations/incoming/old-copies/no-such-image.qcow2'),
    expect: [404],
  }),
];

/** The routes that need credentials (all but logging in). */
export const GUARDED = ROUTES.filter((x) => x.need !== 'public');

export const routeName = (x: RouteSpec): string => `${x.method} ${x.path}`;

/** Whether a logged-in user of this role may call the route. */
export function roleAllows(route: RouteSpec, role: 'read' | 'operate' | 'admin'): boolean {
  if (role === 'admin' || route.need === 'public' || route.need === 'self') return true;
  const needed = route.need === 'session' ? (route.role ?? 'admin') : route.need;
  if (role === 'operate') return needed === 'read' || needed === 'operate';
  return needed === 'read';
}

/** Whether a token of this scope may call the route. */
export function scopeAllows(route: RouteSpec, scope: 'read' | 'operate' | 'admin' | 'peer'): boolean {
  if (route.need === 'session' || route.need === 'self') return false;
  if (scope === 'peer') return route.need === 'peer' || route.peer === true;
  if (scope === 'admin') return true;
  if (scope === 'operate') return route.need === 'read' || route.need === 'operate';
  return route.need === 'read';
}
