import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, createGuest, killGuestsOf, makeDataDir, TestServer } from './harness.ts';

interface Guest {
  id: string;
  name: string;
  state: string;
  pid?: number;
  startedAt?: string;
  lastExit?: { kind: string; reason: string; at: string };
  tags?: string[];
  notes?: string;
  autostart?: { enabled: boolean; order: number; delaySec: number };
}

const LIVE = new Set(['starting', 'running', 'paused', 'stopping']);

// Guests that start with the host: a simulated host reboot (every qemu killed while the server is down, a new
// boot id), a plain server restart that must start nothing, and the shutdown in reverse order when asked.
describe('tags, notes and autostart', () => {
  let dataDir = '';
  let bootFile = '';
  let server: TestServer;
  const ids: Record<string, string> = {};

  const start = async (env: Record<string, string> = {}) => {
    server = await new TestServer(dataDir, server.password, {
      VIRTWEB_BOOT_ID_FILE: bootFile,
      ...env,
    }).start();
    await server.login();
  };
  const guest = async (name: string) =>
    (await server.api('GET', `/api/vms/${ids[name] ?? ''}`)).body as Guest;
  const waitFor = async (what: string, ok: () => Promise<boolean>, timeoutMs = 60_000) => {
    const t0 = Date.now();
    while (!(await ok())) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}\n${server.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  beforeAll(async () => {
    dataDir = await makeDataDir(true);
    bootFile = path.join(dataDir, 'test-boot-id');
    await fs.writeFile(bootFile, 'boot-1\n');
    server = new TestServer(dataDir);
    await start();
    for (const name of ['early', 'late', 'manual']) {
      ids[name] = (await createGuest(server, name, { memoryMiB: 128 })).id;
    }
  });
  afterAll(async () => {
    await server.stop();
    await killGuestsOf(dataDir);
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('stores tags and notes as given, refuses bad ones, and keeps them across a restart', async () => {
    const id = ids.manual ?? '';
    const set = await server.api('PUT', `/api/vms/${id}/labels`, {
      tags: ['web', 'lab-2'],
      notes: 'db: 10.0.0.5\n',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ tags: ['web', 'lab-2'], notes: 'db: 10.0.0.5\n' });
    for (const bad of [
      { tags: ['two words'] },
      { tags: ['a', 'A'] },
      { notes: 'x\u0000' },
      { tags: 'web' },
    ]) {
      const res = await server.api('PUT', `/api/vms/${id}/labels`, bad);
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(apiError(res.body).code).toBe('validation_failed');
    }
    expect((await server.api('PUT', '/api/vms/ffffffffffff/labels', { tags: [] })).status).toBe(404);
    await server.kill9();
    await start();
    expect(await guest('manual')).toMatchObject({ tags: ['web', 'lab-2'], notes: 'db: 10.0.0.5\n' });
    const cleared = await server.api('PUT', `/api/vms/${id}/labels`, {});
    expect(cleared.body).not.toHaveProperty('tags');
    expect(cleared.body).not.toHaveProperty('notes');
  });

  it('starts the autostart guests in order, with the delay, after a host reboot', async () => {
    const put = (name: string, body: unknown) =>
      server.api('PUT', `/api/vms/${ids[name] ?? ''}/autostart`, body);
    expect((await put('early', { enabled: true, order: 1, delaySec: 3 })).status).toBe(200);
    expect((await put('late', { enabled: true, order: 2 })).body).toMatchObject({
      autostart: { enabled: true, order: 2, delaySec: 0 },
    });
    expect((await put('late', { enabled: true, order: -1 })).status).toBe(400);
    for (const name of ['early', 'late', 'manual']) {
      expect((await server.api('POST', `/api/vms/${ids[name] ?? ''}/start`)).status).toBe(202);
    }
    await waitFor('three guests running', async () =>
      (await Promise.all(['early', 'late', 'manual'].map(guest))).every((g) => g.state === 'running'),
    );

    // The host "reboots": the server and every qemu die, the boot id changes.
    await server.kill9();
    await killGuestsOf(dataDir);
    await fs.writeFile(bootFile, 'boot-2\n');
    await start();
    await waitFor('early and late running again', async () => {
      const [early, late] = await Promise.all([guest('early'), guest('late')]);
      return early.state === 'running' && late.state === 'running';
    });
    const [early, late, manual] = await Promise.all([guest('early'), guest('late'), guest('manual')]);
    expect(manual.state).toBe('crashed');
    const gap = Date.parse(late.startedAt ?? '') - Date.parse(early.startedAt ?? '');
    expect(gap, 'late starts after early plus its 3 s').toBeGreaterThanOrEqual(3000);
    expect(server.output).toMatch(/autostart: started early \(order 1\)[\s\S]*autostart: started late/);
  }, 240_000);

  it('starts nothing on a server restart within the same boot', async () => {
    expect((await server.api('POST', `/api/vms/${ids.late ?? ''}/poweroff`)).status).toBe(202);
    await waitFor('late stopped', async () => !LIVE.has((await guest('late')).state));
    const earlyPid = (await guest('early')).pid;
    await server.kill9();
    await start();
    // Adoption is done when the server listens; autostart would have begun by now.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await guest('late')).state).toBe('stopped');
    expect(await guest('early')).toMatchObject({ state: 'running', pid: earlyPid });
  }, 120_000);

  it('with VIRTWEB_SHUTDOWN_GUESTS=1, stopping the server shuts the guests down in reverse order', async () => {
    await server.kill9();
    await start({ VIRTWEB_SHUTDOWN_GUESTS: '1' });
    expect((await server.api('POST', `/api/vms/${ids.late ?? ''}/start`)).status).toBe(202);
    await waitFor('late running', async () => (await guest('late')).state === 'running');
    await server.stop('SIGTERM');
    expect(server.output).toMatch(/shutting the guests down first/);
    await start();
    const [early, late] = await Promise.all([guest('early'), guest('late')]);
    expect(early.state).toBe('stopped');
    expect(late.state).toBe('stopped');
    // late (order 2) went first: it had stopped before early's shutdown began.
    expect(Date.parse(late.lastExit?.at ?? '')).toBeLessThan(Date.parse(early.lastExit?.at ?? ''));
  }, 180_000);
});
