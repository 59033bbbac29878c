import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createGuest } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { until } from './until.ts';

interface VmBody {
  id: string;
  state: string;
  engine: { id: string; connection: string };
}

// Each guest records the engine (and connection) it belongs to; the services reach it only through that engine.
describe('the engine seam', () => {
  const server = useServer({ withGuestIso: true });

  it("shows each guest's engine and connection: qemu-direct, local", async () => {
    const vm = await createGuest<VmBody>(server, 'seam-local');
    expect(vm.engine).toEqual({ id: 'qemu-direct', connection: 'local' });
    const listed = (await server.api('GET', '/api/vms')).body as VmBody[];
    expect(listed.find((v) => v.id === vm.id)?.engine).toEqual({ id: 'qemu-direct', connection: 'local' });
  });

  it('refuses (409) what needs the engine of a guest this server lacks, and serves the rest', async () => {
    const gone = await createGuest<VmBody>(server, 'seam-elsewhere');
    const local = await createGuest<VmBody>(server, 'seam-here');
    await server.stop();
    const db = new Database(path.join(server.dataDir, 'virtweb.db'));
    // A guest recorded as running on a connection this server does not have: the start must not adopt it.
    db.prepare("UPDATE vms SET connection = ?, state = 'running' WHERE id = ?").run(
      'qemu+ssh://lab/system',
      gone.id,
    );
    db.close();
    await server.start();
    await server.login();

    const shown = (await server.api('GET', `/api/vms/${gone.id}`)).body as VmBody;
    expect(shown).toMatchObject({ state: 'running', engine: { connection: 'qemu+ssh://lab/system' } });
    for (const [method, url] of [
      ['POST', `/api/vms/${gone.id}/poweroff`],
      ['GET', `/api/vms/${gone.id}/command-line`],
      ['GET', `/api/vms/${gone.id}/process`],
    ] as const) {
      const res = await server.api(method, url);
      expect(res.status, `${method} ${url}`).toBe(409);
      const { error } = res.body as { error?: { code?: unknown; message?: unknown } };
      expect(typeof error?.code).toBe('string');
      expect(typeof error?.message).toBe('string');
    }
    const cmd = await server.api('GET', `/api/vms/${gone.id}/command-line`);
    expect(JSON.stringify(cmd.body)).toMatch(/no engine qemu-direct for qemu\+ssh:\/\/lab\/system/);

    // The guests of this server's own engine are untouched.
    const started = await server.api('POST', `/api/vms/${local.id}/start`);
    expect(started.status).toBe(202);
    await until('the local guest running', async () => {
      const { state } = (await server.api('GET', `/api/vms/${local.id}`)).body as VmBody;
      return state === 'running' ? state : undefined;
    });
    expect((await server.api('POST', `/api/vms/${local.id}/poweroff`)).status).toBe(202);
  });
});
