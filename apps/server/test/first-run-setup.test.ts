// A real install's first run (VIRTWEB_FIRST_RUN=setup-code, no VIRTWEB_PASSWORD): no generated password, a
// one-time setup code in the server's log that the first visit types to create the admin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, makeDataDir, TestServer } from './harness.ts';
import { disposeServer } from './server-fixture.ts';
import { loginAs } from './user-helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = new TestServer(await makeDataDir(), null, { VIRTWEB_FIRST_RUN: 'setup-code' });
  await server.start();
});
afterAll(() => disposeServer(server));

const setup = (code: string, name = 'boss', password = 'boss password') =>
  server.api('POST', '/api/session/setup', { code, name, password }, '');

describe('the first run with a setup code', () => {
  it('prints a code instead of a password, takes it once, and throttles wrong ones', async () => {
    expect(server.output).not.toMatch(/generated admin password/);
    const code = /setup code (\S+)/.exec(server.output)?.[1] ?? '';
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect((await server.api('GET', '/api/session/setup', undefined, '')).body).toEqual({ needed: true });
    // Nobody can log in yet, not even as admin.
    expect((await loginAs(server, 'admin', 'anything')).status).toBe(401);

    expect((await setup(code, 'Bad Name')).status).toBe(400);
    const wrong = await setup('AAAA-BBBB-CCCC');
    expect(wrong.status).toBe(401);
    expect(apiError(wrong.body).message).toMatch(/wrong setup code/);
    // Wrong codes count as failed logins (with the login as admin above): the sixth in a row waits.
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await setup('AAAA-BBBB-CCCC')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    await new Promise((r) => setTimeout(r, 1100));

    const made = await setup(code.toLowerCase());
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'boss', role: 'admin' });
    const cookie = (made.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await server.api('GET', '/api/session', undefined, cookie)).body).toMatchObject({
      user: 'boss',
      role: 'admin',
    });
    expect((await setup(code, 'second')).status).toBe(409);
    expect((await server.api('GET', '/api/session/setup', undefined, '')).body).toEqual({ needed: false });
    expect((await loginAs(server, 'boss', 'boss password')).status).toBe(204);
  });

  it('keeps its users across a restart, with no new code', async () => {
    await server.stop();
    await server.start();
    expect((await server.api('GET', '/api/session/setup', undefined, '')).body).toEqual({ needed: false });
    expect(server.output.split('setup code').length).toBe(2);
  });
});
