import { describe, expect, it } from 'vitest';
import { apiError, type TestServer } from './harness.ts';
import { useServer } from './server-fixture.ts';

interface Login {
  status: number;
  retryAfter: number | undefined;
  cookie: string;
  code: string | undefined;
}

/** POST /api/session with extra headers (X-Forwarded-For/-Proto), as a client behind a proxy would. */
async function login(
  server: TestServer,
  password: string,
  headers: Record<string, string> = {},
): Promise<Login> {
  const res = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ password }),
  });
  const text = await res.text();
  const retry = res.headers.get('retry-after');
  return {
    status: res.status,
    retryAfter: retry === null ? undefined : Number(retry),
    cookie: res.headers.get('set-cookie') ?? '',
    code: text ? apiError(JSON.parse(text)).code : undefined,
  };
}

/** The throttle's windows are time (Retry-After, logins per second): these waits let them pass, as a client would. */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('login throttling and the client address', () => {
  const server = useServer({ login: false });

  it('answers 429 with Retry-After after 5 failures, backs off 1 s, 2 s, 4 s, and a success resets it', async () => {
    for (let i = 0; i < 5; i++) expect((await login(server, 'wrong')).status).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const refused = await login(server, 'wrong');
      expect(refused).toMatchObject({ status: 429, code: 'too_many_requests' });
      waits.push(refused.retryAfter ?? 0);
      await sleep((refused.retryAfter ?? 0) * 1000 + 100);
      // After the wait one more guess is allowed, and the next wait is longer.
      if (i < 2) expect((await login(server, 'wrong')).status).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4]);
    // The right password is refused while blocked, like any other; after the wait it logs in and resets.
    expect((await login(server, server.password ?? '')).status).toBe(204);
    for (let i = 0; i < 5; i++) expect((await login(server, 'wrong')).status).toBe(401);
    expect((await login(server, 'wrong')).status).toBe(429);
  });

  it('ignores X-Forwarded-For and -Proto without VIRTWEB_TRUST_PROXY: no new address, no Secure cookie', async () => {
    // The client of the previous test is still blocked; another claimed address does not help it.
    const spoofed = await login(server, 'wrong', { 'x-forwarded-for': '203.0.113.9' });
    expect(spoofed.status).toBe(429);
    await sleep((spoofed.retryAfter ?? 0) * 1000 + 100);
    const ok = await login(server, server.password ?? '', { 'x-forwarded-proto': 'https' });
    expect(ok.status).toBe(204);
    expect(ok.cookie).toMatch(/^virtweb_session=/);
    expect(ok.cookie).not.toMatch(/;\s*Secure/i);
  });
});

describe('login behind a trusted proxy (VIRTWEB_TRUST_PROXY=loopback)', () => {
  const server = useServer({ env: { VIRTWEB_TRUST_PROXY: 'loopback' } });

  it('sets a Secure cookie when the proxy says the client came over https, and only then', async () => {
    const tls = await login(server, server.password ?? '', { 'x-forwarded-proto': 'https' });
    expect(tls.status).toBe(204);
    expect(tls.cookie).toMatch(/;\s*Secure/i);
    expect(tls.cookie).toMatch(/HttpOnly/i);
    const plain = await login(server, server.password ?? '', { 'x-forwarded-proto': 'http' });
    expect(plain.status).toBe(204);
    expect(plain.cookie).not.toMatch(/;\s*Secure/i);
  });

  it('throttles each forwarded client address on its own', async () => {
    const a = { 'x-forwarded-for': '198.51.100.1' };
    for (let i = 0; i < 5; i++) expect((await login(server, 'wrong', a)).status).toBe(401);
    expect((await login(server, 'wrong', a)).status).toBe(429);
    await sleep(1100);
    expect((await login(server, 'wrong', { 'x-forwarded-for': '198.51.100.2' })).status).toBe(401);
  });

  it('bounds logins per second across all clients', async () => {
    await sleep(1100);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login(server, 'wrong', { 'x-forwarded-for': `192.0.2.${i + 1}` })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    for (const a of answers.filter((x) => x.status === 429)) expect(a.retryAfter).toBe(1);
    await sleep(1100);
    expect((await login(server, 'wrong', { 'x-forwarded-for': '192.0.2.100' })).status).toBe(401);
  });

  it('keeps file I/O fast during 100 parallel wrong logins from 100 addresses (GET /api/images < 200 ms)', async () => {
    await sleep(1100);
    const storm = { running: true, answered: 0 };
    const logins = Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        login(server, `wrong ${i}`, { 'x-forwarded-for': `10.1.0.${i + 1}` }).finally(() => storm.answered++),
      ),
    ).finally(() => (storm.running = false));
    // Once the refusals are back (100 requests to take in is CPU work, not the thread pool's), while the
    // admitted password checks run.
    while (storm.running && storm.answered < 90) await sleep(10);
    const during: number[] = [];
    while (storm.running) {
      const t0 = performance.now();
      const res = await server.api('GET', '/api/images');
      during.push(performance.now() - t0);
      expect(res.status).toBe(200);
      await sleep(25);
    }
    const answers = await logins;
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect([...new Set(answers.map((a) => a.status))].sort()).toEqual([401, 429]);
    console.log(`GET /api/images during the storm: ${during.map((l) => l.toFixed(0)).join(' ')} ms`);
    // The requirement itself (under 200 ms while the storm lasts). The 95th percentile: one scheduling hiccup
    // of a loaded machine is not the thread pool starving.
    const sorted = [...during].sort((x, y) => x - y);
    expect(sorted[Math.ceil(sorted.length * 0.95) - 1]).toBeLessThan(200);
  });
});
