import { VmActionSchema, type TokenScope, type UserRole } from '@virtweb/protocol';

/**
 * What a route needs: one of these scopes (a token's, or the role of a session's user), or a logged-in user
 * with at least this role (`{ session }`: never an API token, whatever its scope).
 */
export type RouteNeed = readonly TokenScope[] | { readonly session: UserRole };

/** True when only a logged-in user may use the route. */
export function sessionOnly(needs: RouteNeed): needs is { readonly session: UserRole } {
  return 'session' in needs;
}

export interface RouteScope {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** An Express path pattern from `/api` on, exactly as the router declares it (`:name` is one segment). */
  path: string;
  needs: RouteNeed;
}

const READ: RouteNeed = ['read'];
const OPERATE: RouteNeed = ['operate'];
const ADMIN: RouteNeed = ['admin'];
const PEER: RouteNeed = ['peer'];
/** What both a script that only reads and another virtweb server (peering, migration checks) need. */
/** Any logged-in user (every role includes read): their own account and sessions. */
const USER: RouteNeed = { session: 'read' };
const ADMIN_USER: RouteNeed = { session: 'admin' };
const READ_OR_PEER: RouteNeed = ['read', 'peer'];
/** An offline move uploads the disks to the target; a user uploads ISOs and images. */
const OPERATE_OR_PEER: RouteNeed = ['operate', 'peer'];

/**
 * Every API route and what it needs: the one place to audit who may do what. A route missing here needs
 * `admin` (a test checks that every route of the app has its own entry). `admin` includes every scope.
 * `/api/session` (log in, out, who am I, the first run's setup) is answered before authentication and is not
 * listed.
 */
export const ROUTE_SCOPES: readonly RouteScope[] = [
  // This server's identity, host, guests and images: what a peer polls and checks before a migration.
  { method: 'GET', path: '/api/peers/self', needs: READ_OR_PEER },
  { method: 'GET', path: '/api/host', needs: READ_OR_PEER },
  { method: 'GET', path: '/api/vms', needs: READ_OR_PEER },
  { method: 'GET', path: '/api/vms/:id', needs: READ_OR_PEER },
  { method: 'GET', path: '/api/images', needs: READ_OR_PEER },
  { method: 'GET', path: '/api/images/:name', needs: READ_OR_PEER },
  { method: 'PUT', path: '/api/images/:name/upload', needs: OPERATE_OR_PEER },

  // The target side of a migration, server to server.
  { method: 'POST', path: '/api/migrations/incoming/handshake', needs: PEER },
  { method: 'POST', path: '/api/migrations/incoming', needs: PEER },
  { method: 'GET', path: '/api/migrations/incoming/:id', needs: PEER },
  { method: 'POST', path: '/api/migrations/incoming/:id/finish', needs: PEER },
  { method: 'DELETE', path: '/api/migrations/incoming/:id', needs: PEER },
  { method: 'DELETE', path: '/api/migrations/incoming/uploads/:name', needs: PEER },
  { method: 'DELETE', path: '/api/migrations/incoming/old-copies/:name', needs: PEER },

  // Looking.
  { method: 'GET', path: '/api/host/metrics', needs: READ },
  { method: 'GET', path: '/api/host/usb', needs: READ },
  { method: 'PUT', path: '/api/host/name', needs: ADMIN },
  { method: 'GET', path: '/api/vms/:id/metrics', needs: READ },
  { method: 'GET', path: '/api/vms/:id/process', needs: READ },
  { method: 'GET', path: '/api/vms/:id/log', needs: READ },
  { method: 'GET', path: '/api/vms/:id/command-line', needs: READ },
  { method: 'GET', path: '/api/vms/:id/windows11', needs: READ },
  { method: 'GET', path: '/api/vms/:id/balloon', needs: READ },
  { method: 'GET', path: '/api/vms/:id/agent', needs: READ },
  { method: 'GET', path: '/api/vms/:id/disks', needs: READ },
  { method: 'GET', path: '/api/vms/:id/cdrom', needs: READ },
  { method: 'GET', path: '/api/vms/:id/snapshots', needs: READ },
  { method: 'GET', path: '/api/migrations', needs: READ },
  { method: 'GET', path: '/api/saved-states', needs: READ },
  { method: 'GET', path: '/api/tasks', needs: READ },
  { method: 'GET', path: '/api/networks', needs: READ },
  { method: 'GET', path: '/api/networks/:name', needs: READ },
  { method: 'GET', path: '/api/connections', needs: READ },
  { method: 'GET', path: '/api/connections/:id', needs: READ },

  // Guests: definitions, lifecycle, the screen and keyboard.
  { method: 'POST', path: '/api/vms', needs: OPERATE },
  { method: 'POST', path: '/api/vms/preview', needs: OPERATE },
  { method: 'PUT', path: '/api/vms/:id', needs: OPERATE },
  { method: 'DELETE', path: '/api/vms/:id', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/clone', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/balloon', needs: OPERATE },
  { method: 'PUT', path: '/api/vms/:id/labels', needs: OPERATE },
  { method: 'PUT', path: '/api/vms/:id/autostart', needs: OPERATE },
  // The lifecycle actions: start, shutdown, poweroff, reset, pause, resume.
  ...VmActionSchema.options.map((action): RouteScope => ({
    method: 'POST',
    path: `/api/vms/:id/${action}`,
    needs: OPERATE,
  })),
  // Any other name there is an unknown action: a 404 for whoever may act on guests.
  { method: 'POST', path: '/api/vms/:id/:action', needs: OPERATE },
  { method: 'GET', path: '/api/vms/:id/screenshot.png', needs: READ },
  { method: 'GET', path: '/api/vms/:id/serial.log', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/send-keys', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/type', needs: OPERATE },

  // Images and a guest's storage.
  { method: 'POST', path: '/api/images', needs: OPERATE },
  { method: 'DELETE', path: '/api/images/:name', needs: OPERATE },
  { method: 'POST', path: '/api/images/:name/resize', needs: OPERATE },
  { method: 'POST', path: '/api/images/:name/convert', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/disks', needs: OPERATE },
  { method: 'PATCH', path: '/api/vms/:id/disks/:index', needs: OPERATE },
  { method: 'DELETE', path: '/api/vms/:id/disks/:index', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/nics', needs: OPERATE },
  { method: 'PATCH', path: '/api/vms/:id/nics/:slot', needs: OPERATE },
  { method: 'DELETE', path: '/api/vms/:id/nics/:slot', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/usb', needs: OPERATE },
  { method: 'DELETE', path: '/api/vms/:id/usb/:slot', needs: OPERATE },
  { method: 'PUT', path: '/api/vms/:id/cdrom', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/snapshots', needs: OPERATE },
  { method: 'PUT', path: '/api/vms/:id/snapshots/:name', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/snapshots/:name/revert', needs: OPERATE },
  { method: 'DELETE', path: '/api/vms/:id/snapshots/:name', needs: OPERATE },

  // Migrations started here, saved states.
  { method: 'POST', path: '/api/vms/:id/migrate/check', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/migrate', needs: OPERATE },
  { method: 'POST', path: '/api/vms/:id/save', needs: OPERATE },
  { method: 'POST', path: '/api/migrations/:jobId/cancel', needs: OPERATE },
  { method: 'POST', path: '/api/saved-states/:name/restore', needs: OPERATE },
  { method: 'DELETE', path: '/api/saved-states/:name', needs: OPERATE },

  // Managed networks: bridges, nftables rules and dnsmasq on the host.
  { method: 'POST', path: '/api/networks', needs: ADMIN },
  { method: 'DELETE', path: '/api/networks/:name', needs: ADMIN },
  { method: 'POST', path: '/api/networks/:name/start', needs: ADMIN },
  { method: 'POST', path: '/api/networks/:name/stop', needs: ADMIN },
  { method: 'PUT', path: '/api/networks/:name/port-forwards', needs: ADMIN },
  // Connections to libvirt hosts: the server opens a connection to the URI (a local socket, later ssh/tls).
  { method: 'POST', path: '/api/connections', needs: ADMIN },
  { method: 'DELETE', path: '/api/connections/:id', needs: ADMIN },

  // Reaching into qemu itself.
  { method: 'POST', path: '/api/vms/:id/signal', needs: ADMIN },

  // Tokens, peers and the cluster view: a logged-in user only (a token cannot mint tokens or add peers);
  // minting tokens and adding peers is an admin's, looking at peers anyone's, acting on their guests operate's.
  { method: 'GET', path: '/api/tokens', needs: ADMIN_USER },
  { method: 'POST', path: '/api/tokens', needs: ADMIN_USER },
  { method: 'DELETE', path: '/api/tokens/:id', needs: ADMIN_USER },
  { method: 'GET', path: '/api/peers', needs: USER },
  { method: 'POST', path: '/api/peers', needs: ADMIN_USER },
  { method: 'POST', path: '/api/peers/certificate', needs: ADMIN_USER },
  { method: 'DELETE', path: '/api/peers/:id', needs: ADMIN_USER },
  { method: 'POST', path: '/api/peers/:id/vms/:vmId/:action', needs: { session: 'operate' } },
  { method: 'GET', path: '/api/cluster/vms', needs: USER },

  // Users (an admin's), one's own account, login sessions (one's own; everyone's for an admin).
  { method: 'GET', path: '/api/users', needs: ADMIN_USER },
  { method: 'POST', path: '/api/users', needs: ADMIN_USER },
  { method: 'PUT', path: '/api/users/:name', needs: ADMIN_USER },
  { method: 'DELETE', path: '/api/users/:name', needs: ADMIN_USER },
  { method: 'PUT', path: '/api/users/:name/password', needs: ADMIN_USER },
  { method: 'DELETE', path: '/api/users/:name/totp', needs: ADMIN_USER },
  { method: 'PUT', path: '/api/account/password', needs: USER },
  { method: 'POST', path: '/api/account/totp', needs: USER },
  { method: 'PUT', path: '/api/account/totp', needs: USER },
  { method: 'DELETE', path: '/api/account/totp', needs: USER },
  { method: 'GET', path: '/api/sessions', needs: USER },
  { method: 'DELETE', path: '/api/sessions/:id', needs: USER },
];

interface CompiledRoute extends RouteScope {
  regex: RegExp;
  /** One letter per segment, `l` literal or `p` parameter: the smallest sorts first (most specific). */
  rank: string;
}

/**
 * The regex of an Express path pattern, matching as Express does by default: case-insensitive, with an
 * optional trailing slash, on the raw (still %-encoded) path.
 * NOTE: matching otherwise would let `/api/vms/x/SIGNAL` pass here as `/:id/:action` (operate) while Express
 * runs the signal route.
 */
export function patternRegex(path: string): RegExp {
  const source = path
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith(':') ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^/${source}/?$`, 'i');
}

const COMPILED: readonly CompiledRoute[] = ROUTE_SCOPES.map((route) => ({
  ...route,
  regex: patternRegex(route.path),
  rank: route.path
    .split('/')
    .slice(1)
    .map((s) => (s.startsWith(':') ? 'p' : 'l'))
    .join(''),
}));

/** The table's entry for a request (HEAD as GET; the most specific pattern wins), or undefined. */
export function routeScopeOf(method: string, path: string): RouteScope | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  let best: CompiledRoute | undefined;
  for (const route of COMPILED) {
    if (route.method !== m || !route.regex.test(path)) continue;
    if (best === undefined || route.rank < best.rank) best = route;
  }
  return best;
}

/** What a request needs: its entry's, or `admin` for anything the table does not name. */
export function needsOf(method: string, path: string): RouteNeed {
  return routeScopeOf(method, path)?.needs ?? ADMIN;
}
