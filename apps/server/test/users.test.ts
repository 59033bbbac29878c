// Users on a real server: TOTP enrolment and login, an admin ending another's session (its websockets
// close), disabling, the last admin, changing one's own password, and the host shell's passwd CLI while the
// server runs.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { apiError, REPO, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { cookieOf, loginAs, makeUser } from './user-helpers.ts';

const server = useServer();

/** The code an authenticator app shows for `secret`, `stepsAhead` steps of 30 s from now. */
const codeOf = (secret: string, stepsAhead = 0): string =>
  new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: Date.now() + stepsAhead * 30_000 });

describe('TOTP', () => {
  it('is enrolled with a QR code and a first code, then asked for after the password at login', async () => {
    await makeUser(server, 'tina', 'operate', 'tina password');
    const cookie = await cookieOf(server, 'tina', 'tina password');
    const begun = await server.api('POST', '/api/account/totp', undefined, cookie);
    expect(begun.status).toBe(201);
    const { secret, uri, qrCode } = begun.body as { secret: string; uri: string; qrCode: string };
    expect(uri).toBe(
      `otpauth://totp/virtweb:tina?issuer=virtweb&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect((await server.api('PUT', '/api/account/totp', { code: codeOf(secret, 10) }, cookie)).status).toBe(
      400,
    );
    expect((await server.api('PUT', '/api/account/totp', { code: codeOf(secret) }, cookie)).status).toBe(204);
    expect((await server.api('GET', '/api/session', undefined, cookie)).body).toEqual({
      user: 'tina',
      role: 'operate',
      totp: true,
    });

    expect(await loginAs(server, 'tina', 'tina password')).toMatchObject({
      status: 401,
      code: 'totp_required',
    });
    expect(await loginAs(server, 'tina', 'wrong password', codeOf(secret, 1))).toMatchObject({ status: 401 });
    const code = codeOf(secret, 1);
    expect(await loginAs(server, 'tina', 'tina password', code)).toMatchObject({ status: 204 });
    // Each code is good once.
    expect(await loginAs(server, 'tina', 'tina password', code)).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });

    // An admin takes it off (a lost phone): the password alone logs in again.
    expect((await server.api('DELETE', '/api/users/tina/totp')).status).toBe(204);
    expect(await loginAs(server, 'tina', 'tina password')).toMatchObject({ status: 204 });
  });
});

describe('sessions', () => {
  it("are listed (one's own; all for an admin), and ending one closes its websockets within a second", async () => {
    await makeUser(server, 'sam', 'read', 'sam password');
    const cookie = await cookieOf(server, 'sam', 'sam password');
    const own = (await server.api('GET', '/api/sessions', undefined, cookie)).body as {
      id: string;
      user: string;
      current: boolean;
    }[];
    expect(own.map((s) => [s.user, s.current])).toEqual([['sam', true]]);
    const all = (await server.api('GET', '/api/sessions')).body as { id: string; user: string }[];
    expect(all.map((s) => s.user)).toEqual(expect.arrayContaining(['admin', 'sam']));
    const adminSession = all.find((s) => s.user === 'admin')?.id ?? '';
    // Another's session is not a read user's to end (nor to know of).
    expect((await server.api('DELETE', `/api/sessions/${adminSession}`, undefined, cookie)).status).toBe(404);

    const events = new WsCollector(server.ws('/api/events', { cookie }));
    await events.opened();
    const t0 = Date.now();
    expect((await server.api('DELETE', `/api/sessions/${own[0]?.id ?? ''}`)).status).toBe(204);
    await events.waitFor((c) => c.closed !== undefined, 'the socket to close', 5000);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(events.closed).toEqual({ code: 4401, reason: 'credential revoked' });
    expect((await server.api('GET', '/api/session', undefined, cookie)).status).toBe(401);
  });
});

describe('users', () => {
  it('refuses a disabled user (its open session too), and a read user acting with 403 naming the role', async () => {
    await makeUser(server, 'dora', 'read', 'dora password');
    const cookie = await cookieOf(server, 'dora', 'dora password');
    const act = await server.api(
      'POST',
      '/api/images',
      { name: 'x.qcow2', format: 'qcow2', size: '1M' },
      cookie,
    );
    expect(act.status).toBe(403);
    expect(apiError(act.body).message).toBe('POST /api/images needs the operate role (user dora has read)');
    expect((await server.api('PUT', '/api/users/dora', { disabled: true })).status).toBe(200);
    expect((await server.api('GET', '/api/vms', undefined, cookie)).status).toBe(401);
    const login = await loginAs(server, 'dora', 'dora password');
    expect(login.status).toBe(401);
    expect((await server.api('PUT', '/api/users/dora', { role: 'operate', disabled: false })).status).toBe(
      200,
    );
    const again = await cookieOf(server, 'dora', 'dora password');
    const made = await server.api(
      'POST',
      '/api/images',
      { name: 'x.qcow2', format: 'qcow2', size: '1M' },
      again,
    );
    expect(made.status).toBe(201);
    // The task log names who acted by the session's user name, with its role.
    const log = (await server.api('GET', '/api/tasks?user=dora')).body as {
      tasks: { route: string; user: string; scope: string; via: string }[];
    };
    expect(log.tasks.map((t) => [t.route, t.user, t.scope, t.via])).toEqual([
      ['POST /api/images', 'dora', 'operate', 'session'],
    ]);
  });

  it('validates user names, and keeps the last admin', async () => {
    for (const name of ['Admin', '1st', 'a b', 'a/b', '', 'x'.repeat(33), 'ann\u0000']) {
      const res = await server.api('POST', '/api/users', { name, password: 'long enough', role: 'read' });
      expect(res.status, name).toBe(400);
    }
    const weak = await server.api('POST', '/api/users', { name: 'weak', password: 'short', role: 'read' });
    expect(weak.status).toBe(400);
    const ctl = await server.api('POST', '/api/users', {
      name: 'ctl',
      password: 'long\u0007enough',
      role: 'read',
    });
    expect(ctl.status).toBe(400);
    for (const [method, path, body] of [
      ['PUT', '/api/users/admin', { role: 'operate' }],
      ['PUT', '/api/users/admin', { disabled: true }],
      ['DELETE', '/api/users/admin', undefined],
    ] as const) {
      const res = await server.api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(apiError(res.body)).toMatchObject({ code: 'last_admin' });
    }
  });

  it("changes one's own password with the current one, and ends one's other sessions", async () => {
    await makeUser(server, 'olga', 'read', 'olga password');
    const here = await cookieOf(server, 'olga', 'olga password');
    const there = await cookieOf(server, 'olga', 'olga password');
    const change = (currentPassword: string) =>
      server.api('PUT', '/api/account/password', { currentPassword, newPassword: 'olga new password' }, here);
    expect((await change('wrong')).status).toBe(403);
    expect((await change('olga password')).status).toBe(204);
    expect((await server.api('GET', '/api/session', undefined, here)).status).toBe(200);
    expect((await server.api('GET', '/api/session', undefined, there)).status).toBe(401);
    expect((await loginAs(server, 'olga', 'olga new password')).status).toBe(204);
  });

  it('has its password set from the host shell (npm run passwd) while the server runs', async () => {
    await makeUser(server, 'pat', 'read', 'pat password');
    const cookie = await cookieOf(server, 'pat', 'pat password');
    const run = (args: string[], input: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', path.join(REPO, 'apps/server/src/passwd.ts'), ...args],
          {
            cwd: REPO,
            env: { ...process.env, VIRTWEB_DATA_DIR: server.dataDir },
            stdio: ['pipe', 'pipe', 'pipe'],
          },
        );
        let out = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (out += c.toString()));
        child.on('exit', (code) => resolve({ code, out }));
        child.stdin.end(input);
      });
    expect(await run(['nobody'], 'whatever password\n')).toMatchObject({
      code: 1,
      out: expect.stringMatching(/no user nobody/) as unknown,
    });
    expect(await run(['pat'], 'short\n')).toMatchObject({ code: 1 });
    expect(await run(['pat'], 'pat shell password\n')).toMatchObject({ code: 0 });
    expect((await loginAs(server, 'pat', 'pat password')).status).toBe(401);
    expect((await loginAs(server, 'pat', 'pat shell password')).status).toBe(204);
    // Its sessions ended.
    expect((await server.api('GET', '/api/session', undefined, cookie)).status).toBe(401);
  });
});

describe('the login throttle', () => {
  it('counts wrong authenticator codes', async () => {
    await makeUser(server, 'tom', 'read', 'tom password');
    const cookie = await cookieOf(server, 'tom', 'tom password');
    const { secret } = (await server.api('POST', '/api/account/totp', undefined, cookie)).body as {
      secret: string;
    };
    expect((await server.api('PUT', '/api/account/totp', { code: codeOf(secret) }, cookie)).status).toBe(204);
    const wrong = codeOf(secret, 20);
    // NOTE: the logins just made count against the server-wide 5 a second too: let that second pass, so that
    // what answers below is the address's own count of failures.
    await new Promise((r) => setTimeout(r, 1100));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await loginAs(server, 'tom', 'tom password', wrong)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    // The wait over, the right code logs in (and the address starts afresh for the tests after this one).
    await new Promise((r) => setTimeout(r, 1100));
    expect((await loginAs(server, 'tom', 'tom password', codeOf(secret, 1))).status).toBe(204);
  });
});
