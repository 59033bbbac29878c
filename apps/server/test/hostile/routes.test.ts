import { describe, expect, it } from 'vitest';
import { allows } from '../../src/auth/principal.ts';
import { ROUTE_SCOPES, sessionOnly } from '../../src/http/route-scopes.ts';
import { roleAllows, ROUTES, routeName, scopeAllows } from './routes.ts';

// A route added to the server without cases here would escape the suite: the two tables must list the same.
describe("the hostile suite's route table", () => {
  const ours = new Map(ROUTES.map((r) => [routeName(r), r]));

  it('has every route of the server (route-scopes.ts), and none it does not have', () => {
    const server = ROUTE_SCOPES.map((r) => `${r.method} ${r.path}`);
    const sessionRoutes = [
      'POST /api/session',
      'GET /api/session',
      'DELETE /api/session',
      'GET /api/session/setup',
      'POST /api/session/setup',
    ];
    expect([...ours.keys()].filter((k) => !sessionRoutes.includes(k)).sort()).toEqual([...server].sort());
  });

  it('expects the scopes the server enforces', () => {
    for (const r of ROUTE_SCOPES) {
      const spec = ours.get(`${r.method} ${r.path}`);
      for (const scope of ['read', 'operate', 'admin', 'peer'] as const) {
        const serverAllows = !sessionOnly(r.needs) && r.needs.some((n) => allows(scope, n));
        expect(spec && scopeAllows(spec, scope), `${r.method} ${r.path} as ${scope}`).toBe(serverAllows);
      }
      for (const role of ['read', 'operate', 'admin'] as const) {
        const serverAllows = sessionOnly(r.needs)
          ? allows(role, r.needs.session)
          : r.needs.some((n) => allows(role, n));
        expect(spec && roleAllows(spec, role), `${r.method} ${r.path} as a ${role} user`).toBe(serverAllows);
      }
    }
  });
});
