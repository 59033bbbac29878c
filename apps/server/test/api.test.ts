import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { imagesDirEntries, makeDataDir, TestServer, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';

// The HTTP contract without booting guests: auth, validation, images, VM definitions, wrong-state refusals.
describe('REST API and websocket edge', () => {
  const server = useServer({ withGuestIso: true, login: false });
  const { dataDir } = server;

  it('answers 401 on every API route and websocket without a session', async () => {
    for (const [method, p] of [
      ['GET', '/api/host'],
      ['GET', '/api/images'],
      ['POST', '/api/images'],
      ['GET', '/api/vms'],
      ['POST', '/api/vms'],
      ['POST', '/api/vms/0123456789ab/start'],
      ['DELETE', '/api/images/tinylinux.iso'],
      ['GET', '/api/session'],
      ['GET', '/api/nothing-here'],
    ] as const) {
      const res = await server.api(method, p, method === 'GET' ? undefined : {}, '');
      expect(res.status, `${method} ${p}`).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'unauthorized' } });
    }
    for (const p of ['/api/events', '/api/vms/0123456789ab/serial']) {
      const ws = server.ws(p, { cookie: 'virtweb_session=forged' });
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
      });
      expect(status, p).toBe(401);
    }
    expect(await imagesDirEntries(path.join(dataDir, 'images'))).toEqual(['tinylinux.iso']);
  });

  it('logs in with a HttpOnly SameSite=Strict cookie, refuses a wrong password, logs out', async () => {
    const wrong = await server.api('POST', '/api/session', { password: 'nope' }, '');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      error: { code: 'unauthorized', message: 'wrong user name or password' },
    });
    const unknownField = await server.api('POST', '/api/session', { password: 'x', admin: true }, '');
    expect(unknownField.status).toBe(400);
    await server.login();
    const login = await server.api('POST', '/api/session', { password: server.password }, '');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^virtweb_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const token = cookie.split(';')[0] ?? '';
    expect((await server.api('GET', '/api/session', undefined, token)).status).toBe(200);
    expect((await server.api('DELETE', '/api/session', undefined, token)).status).toBe(204);
    expect((await server.api('GET', '/api/host', undefined, token)).status).toBe(401);
  });

  it('refuses a cross-origin websocket upgrade even with a valid session', async () => {
    await server.login();
    const evil = server.ws('/api/events', { origin: 'http://evil.example' });
    const status = await new Promise<number>((resolve) => {
      evil.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      evil.on('open', () => resolve(101));
    });
    expect(status).toBe(403);
    const good = new WsCollector(server.ws('/api/events'));
    await good.waitFor((c) => c.messages.some((m) => m.includes('"hello"')), 'hello event', 5000);
    good.ws.close();
  });

  it('describes the host: qemu, TCG as the server default, KVM verdict with a reason', async () => {
    await server.login();
    const res = await server.api('GET', '/api/host');
    expect(res.status).toBe(200);
    const host = res.body as {
      qemu: { version: string };
      accel: { default: string; kvm: { reason: string } };
      cpus: number;
    };
    expect(host.qemu.version).toMatch(/^\d+\.\d+/);
    expect(host.accel.default).toBe('tcg');
    expect(host.accel.kvm.reason.length).toBeGreaterThan(10);
    expect(host.cpus).toBeGreaterThan(0);
  });

  it('creates, lists and deletes images; refuses bad names and sizes leaving nothing behind', async () => {
    await server.login();
    const created = await server.api('POST', '/api/images', {
      name: 'disk1.qcow2',
      format: 'qcow2',
      size: '64M',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'disk1.qcow2',
      format: 'qcow2',
      virtualSize: 64 * 2 ** 20,
      usedBy: [],
    });
    const list = (await server.api('GET', '/api/images')).body as { name: string; format: string }[];
    expect(list.map((i) => [i.name, i.format])).toEqual([
      ['disk1.qcow2', 'qcow2'],
      ['tinylinux.iso', 'iso'],
    ]);
    expect(
      (await server.api('POST', '/api/images', { name: 'disk1.qcow2', format: 'qcow2', size: '1M' })).status,
    ).toBe(409);

    const bad = [
      // A name nothing else puts beside the data dir (a shared /tmp may hold anything called x).
      { name: '../virtweb-escape-probe', format: 'qcow2', size: '1M' },
      { name: 'a/b', format: 'qcow2', size: '1M' },
      { name: '.hidden', format: 'raw', size: '1M' },
      { name: 'x\u0000y', format: 'raw', size: '1M' },
      { name: 'neg', format: 'raw', size: -1 },
      { name: 'zero', format: 'raw', size: 0 },
      { name: 'huge', format: 'raw', size: '99999T' },
      { name: 'junk', format: 'raw', size: '12 parsecs' },
      { name: 'fmt', format: 'vhdx', size: '1M' },
      { name: 'extra', format: 'raw', size: '1M', path: '/etc/passwd' },
    ];
    for (const body of bad) {
      const res = await server.api('POST', '/api/images', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect((await server.api('POST', '/api/images', '{not json')).status).toBe(400);
    expect(await imagesDirEntries(path.join(dataDir, 'images'))).toEqual(['disk1.qcow2', 'tinylinux.iso']);
    expect(await fs.readdir(path.dirname(dataDir))).not.toContain('virtweb-escape-probe');

    expect((await server.api('DELETE', '/api/images/..%2Fvirtweb.db')).status).toBe(400);
    expect((await server.api('DELETE', '/api/images/nope.img')).status).toBe(404);
    expect((await server.api('DELETE', '/api/images/disk1.qcow2')).status).toBe(204);
  });

  it('validates VM definitions and refuses actions in the wrong state', async () => {
    await server.login();
    const cases: [unknown, number][] = [
      [{ name: 'a', memoryMiB: 128, vcpus: 1, disks: [], cdrom: 'missing.iso' }, 400],
      [{ name: 'a', memoryMiB: 128, vcpus: 1, disks: [{ image: '../../etc/passwd' }] }, 400],
      [{ name: 'a', memoryMiB: 128, vcpus: 999 }, 400],
      [{ name: 'a', memoryMiB: 128, vcpus: 64 }, 400],
      [{ name: 'a', memoryMiB: 16 * 2 ** 30, vcpus: 1 }, 400],
      [{ name: 'a b', memoryMiB: 128, vcpus: 1 }, 400],
      [{ name: 'a', memoryMiB: 128, vcpus: 1, cdrom: 'tinylinux.iso', gpu: 'yes' }, 400],
      [{ name: 'a', memoryMiB: -5, vcpus: 1 }, 400],
      [{ name: 'a', memoryMiB: 128, vcpus: 1, boot: 'disk' }, 400],
    ];
    for (const [body, status] of cases) {
      const res = await server.api('POST', '/api/vms', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
    }
    expect((await server.api('GET', '/api/vms')).body).toEqual([]);

    const vm = await server.api('POST', '/api/vms', {
      name: 'ok',
      memoryMiB: 128,
      vcpus: 1,
      cdrom: 'tinylinux.iso',
    });
    expect(vm.status).toBe(201);
    const { id } = vm.body as { id: string };
    expect(vm.body).toMatchObject({ name: 'ok', state: 'defined', boot: 'cdrom', accel: 'auto' });
    expect((await server.api('POST', '/api/vms', { name: 'ok', memoryMiB: 128, vcpus: 1 })).status).toBe(409);
    for (const action of ['pause', 'resume', 'shutdown', 'poweroff', 'reset']) {
      const res = await server.api('POST', `/api/vms/${id}/${action}`);
      expect(res.status, action).toBe(409);
      expect(res.body).toMatchObject({ error: { code: 'wrong_state' } });
    }
    expect((await server.api('POST', `/api/vms/${id}/fly`)).status).toBe(404);
    expect((await server.api('GET', '/api/vms/0123456789ab')).status).toBe(404);
    expect((await server.api('GET', '/api/vms/..%2F..')).status).toBe(404);
    const iso = ((await server.api('GET', '/api/images')).body as { name: string; usedBy: string[] }[])[0];
    expect(iso?.usedBy).toEqual([id]);
    expect((await server.api('DELETE', '/api/images/tinylinux.iso')).status).toBe(409);
    expect((await server.api('DELETE', `/api/vms/${id}`)).status).toBe(204);
    expect((await server.api('GET', `/api/vms/${id}`)).status).toBe(404);
  });
});

describe('admin password', () => {
  it('is generated and printed once on the first start, stored hashed, and works', async () => {
    const dataDir = await makeDataDir();
    try {
      const first = await new TestServer(dataDir, null).start();
      const m = /generated admin password \(shown only this once\): (\S+)/.exec(first.output);
      expect(m?.[1]).toBeTruthy();
      await first.login(m?.[1]);
      await first.stop();
      const second = await new TestServer(dataDir, null).start();
      expect(second.output).not.toContain('generated admin password');
      await second.login(m?.[1]);
      await second.stop();
      const db = await fs.readFile(path.join(dataDir, 'virtweb.db'));
      expect(db.includes(Buffer.from(m?.[1] ?? 'x'))).toBe(false);
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});
