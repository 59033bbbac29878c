// The role matrix on a real server: every route of the hostile suite's table and every websocket, as a user
// of each role. What a role may not do is refused 403 naming the least role that may; what it may do passes
// authorisation (its harmless request gets its own answer, never 401/403).
import { beforeAll, describe, expect, it } from 'vitest';
import { apiError, createGuest } from './harness.ts';
import type { Targets } from './hostile/fixture.ts';
import { roleAllows, ROUTES, routeName, type RouteSpec } from './hostile/routes.ts';
import { WS_KINDS } from './hostile/ws-cases.ts';
import { useServer } from './server-fixture.ts';
import { cookieOf, makeUser, upgradeWith, type Role } from './user-helpers.ts';

const server = useServer({ withGuestIso: true });
const ROLES: Role[] = ['read', 'operate', 'admin'];
const PASSWORD = 'role password';
const cookies = {} as Record<Role, string>;
let t: Targets;

beforeAll(async () => {
  const made = await server.api('POST', '/api/images', { name: 'disk.qcow2', format: 'qcow2', size: '16M' });
  expect(made.status).toBe(201);
  const stopped = await createGuest(server, 'stopped', { memoryMiB: 128, disks: [{ image: 'disk.qcow2' }] });
  // No guest runs here: what the hostile suite aims at a running guest goes to one that does not exist.
  t = {
    stoppedId: stopped.id,
    runningId: 'fedcba987654',
    unknownId: 'fedcba987654',
    disk: 'disk.qcow2',
    iso: 'tinylinux.iso',
    kernel: 'tinylinux.vmlinuz',
    initrd: 'tinylinux.initrd',
    state: 'fixture.vmstate.zst',
    origin: server.url,
    scopedTokens: true,
  };
  for (const role of ROLES) {
    await makeUser(server, `role-${role}`, role, PASSWORD);
    cookies[role] = await cookieOf(server, `role-${role}`, PASSWORD);
  }
}, 60_000);

/** The least role that may use a route, as the hostile table says. */
function leastRole(route: RouteSpec): Role {
  return ROLES.find((role) => roleAllows(route, role)) ?? 'admin';
}

async function call(route: RouteSpec, role: Role): Promise<{ status: number; body: unknown }> {
  const h = route.harmless;
  // Logging out ends the session: a session of its own.
  const cookie = h.throwawaySession ? await cookieOf(server, `role-${role}`, PASSWORD) : cookies[role];
  const path = h.path(t);
  if (route.body === 'raw') {
    return server.request(route.method, path, h.raw ?? '', {
      cookie,
      origin: server.url,
      'content-type': 'application/octet-stream',
    });
  }
  return server.api(route.method, path, h.body, cookie);
}

const cases = ROUTES.filter((r) => r.need !== 'public').flatMap((route) =>
  ROLES.map((role) => [routeName(route), role, route] as const),
);

describe('every route as a user of each role', () => {
  it.each(cases)('%s as %s', async (_name, role, route) => {
    const res = await call(route, role);
    if (roleAllows(route, role)) {
      expect([401, 403], JSON.stringify(res.body)).not.toContain(res.status);
      expect(res.status).toBeLessThan(500);
    } else {
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(apiError(res.body)).toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining(
          `needs the ${leastRole(route)} role (user role-${role} has ${role})`,
        ) as unknown,
      });
    }
  });
});

describe('every websocket as a user of each role', () => {
  const sockets = Object.entries(WS_KINDS).flatMap(([kind, spec]) =>
    ROLES.map((role) => [kind, role, spec] as const),
  );
  const allowed = (need: Role, role: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(need);

  it.each(sockets)('%s as %s', async (_kind, role, spec) => {
    // The stopped guest: a console of it opens and is then closed by the server (not running).
    const path = spec.path({ ...t, runningId: t.stoppedId });
    const res = await upgradeWith(server, path, { cookie: cookies[role], origin: server.url });
    if (allowed(spec.need, role)) expect(res.status).toBe(101);
    else
      expect(res).toEqual({
        status: 403,
        message: `${path} needs the ${spec.need} role (user role-${role} has ${role})`,
      });
  });
});
