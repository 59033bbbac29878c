import { describe, expect, it } from 'vitest';
import { createApp, type AppDeps } from './app.ts';
import { needsOf, patternRegex, ROUTE_SCOPES, routeScopeOf, sessionOnly } from './route-scopes.ts';

interface AppRoute {
  method: string;
  path: string;
}

interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Stands in for every dependency: the routers only keep references to them while the app is built. */
const anything: unknown = new Proxy(() => undefined, {
  get: (_target, prop) => (prop === 'then' ? undefined : anything),
  apply: () => anything,
});

/** Every route of the real app, in the order Express tries them, with the path from `/api` on. */
function appRoutes(): AppRoute[] {
  const deps = new Proxy({}, { get: (_t, prop) => (prop === 'webDir' ? '/nonexistent' : anything) });
  const app = createApp(deps as AppDeps) as unknown as { router: { stack: Layer[] } };
  const routes: AppRoute[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route && typeof layer.route.path === 'string') {
        const path = (prefix + layer.route.path).replace(/(.)\/$/, '$1');
        for (const method of Object.keys(layer.route.methods))
          routes.push({ method: method.toUpperCase(), path });
      } else if (layer.handle?.stack && typeof layer.rawPath === 'string') {
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : layer.rawPath));
      }
    }
  };
  walk(app.router.stack, '');
  // Logging in and out is answered before authentication; the rest of `/` is the web app.
  return routes.filter((r) => r.path.startsWith('/api/') && !/^\/api\/session(\/|$)/.test(r.path));
}

const key = (r: AppRoute): string => `${r.method} ${r.path}`;

/** A request path for a pattern: each parameter filled with `fill(name)`. */
const sample = (path: string, fill: (segment: string) => string = () => 'x'): string =>
  path.replace(/:[A-Za-z]+/g, (s) => fill(s));

describe('ROUTE_SCOPES', () => {
  const routes = appRoutes();

  it('has an entry for every route of the app, and none for a route the app does not have', () => {
    const inApp = new Set(routes.map(key));
    const inTable = new Set(ROUTE_SCOPES.map(key));
    expect(inApp.size).toBeGreaterThan(50);
    expect(
      [...inApp].filter((k) => !inTable.has(k)),
      'routes without an entry',
    ).toEqual([]);
    expect(
      [...inTable].filter((k) => !inApp.has(k)),
      'entries without a route',
    ).toEqual([]);
    expect(inTable.size, 'one entry per route').toBe(ROUTE_SCOPES.length);
  });

  it("picks, for any request, the entry of the route Express runs for it (so no route takes another's scope)", () => {
    // Every route's own sample, and every pair of routes of one method that one path could reach (a
    // parameter of one where the other has a literal, e.g. `/api/vms/x/signal` for `/:id/:action`).
    const paths = new Set<string>();
    for (const a of routes) {
      paths.add(`${a.method} ${sample(a.path)}`);
      const segA = a.path.split('/');
      for (const b of routes) {
        const segB = b.path.split('/');
        if (a.method !== b.method || segA.length !== segB.length) continue;
        const merged = segA.map((s, i) => (s.startsWith(':') ? (segB[i] ?? s) : s));
        paths.add(`${a.method} ${sample(merged.join('/'))}`);
      }
    }
    for (const request of paths) {
      const [method = '', path = ''] = request.split(' ');
      const expressRuns = routes.find((r) => r.method === method && patternRegex(r.path).test(path));
      if (!expressRuns) continue;
      expect(routeScopeOf(method, path)?.path, request).toBe(expressRuns.path);
    }
  });

  it('matches as Express does: any case, a trailing slash, HEAD as GET', () => {
    expect(needsOf('POST', '/api/vms/0123456789ab/signal')).toEqual(['admin']);
    expect(needsOf('POST', '/api/VMS/0123456789ab/Signal/')).toEqual(['admin']);
    expect(needsOf('POST', '/api/vms/0123456789ab/start')).toEqual(['operate']);
    expect(needsOf('HEAD', '/api/vms/')).toEqual(['read', 'peer']);
  });

  it('needs admin for what it does not name', () => {
    expect(routeScopeOf('GET', '/api/secret-new-thing')).toBeUndefined();
    expect(needsOf('GET', '/api/secret-new-thing')).toEqual(['admin']);
    expect(needsOf('PATCH', '/api/vms/0123456789ab')).toEqual(['admin']);
  });

  it('gives peer what peering and migration call, and nothing that acts on guests here', () => {
    const peerMay = ROUTE_SCOPES.filter((r) => !sessionOnly(r.needs) && r.needs.includes('peer')).map(key);
    expect(peerMay.sort()).toEqual(
      [
        'GET /api/peers/self',
        'GET /api/host',
        'GET /api/vms',
        'GET /api/vms/:id',
        'GET /api/images',
        'GET /api/images/:name',
        'PUT /api/images/:name/upload',
        'POST /api/migrations/incoming/handshake',
        'POST /api/migrations/incoming',
        'GET /api/migrations/incoming/:id',
        'POST /api/migrations/incoming/:id/finish',
        'DELETE /api/migrations/incoming/:id',
        'DELETE /api/migrations/incoming/uploads/:name',
        'DELETE /api/migrations/incoming/old-copies/:name',
      ].sort(),
    );
  });

  it('lets read reach every GET (the screen too) but the serial log, the incoming side and the logged-in-only lists', () => {
    const notRead = routes
      .filter((r) => r.method === 'GET')
      .filter((r) => {
        const needs = needsOf(r.method, sample(r.path));
        return sessionOnly(needs) || !needs.includes('read');
      })
      .map((r) => r.path);
    expect(notRead.sort()).toEqual(
      [
        '/api/tokens',
        '/api/peers',
        '/api/users',
        '/api/sessions',
        '/api/cluster/vms',
        '/api/vms/:id/serial.log',
        '/api/migrations/incoming/:id',
      ].sort(),
    );
    const readChanges = ROUTE_SCOPES.filter(
      (r) => r.method !== 'GET' && !sessionOnly(r.needs) && r.needs.includes('read'),
    );
    expect(readChanges).toEqual([]);
  });
});
