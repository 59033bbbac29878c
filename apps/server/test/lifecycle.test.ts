import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { READY, WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { isLive } from './soak/proc-scan.ts';
import { until } from './until.ts';

interface VmBody {
  id: string;
  state: string;
  pid?: number;
  activeAccel?: string;
  lastExit?: { kind: string; reason: string };
}

// One real guest (test ISO, TCG) through its whole life, including a server crash in the middle.
describe('guest lifecycle against real qemu', () => {
  const server = useServer({ withGuestIso: true });
  const { dataDir } = server;
  let events: WsCollector;
  let id = '';

  const vm = async (): Promise<VmBody> => (await server.api('GET', `/api/vms/${id}`)).body as VmBody;
  const waitState = async (state: string, timeoutMs = 30_000): Promise<VmBody> => {
    const t0 = Date.now();
    for (;;) {
      const v = await vm();
      if (v.state === state) return v;
      if (Date.now() - t0 > timeoutMs) throw new Error(`VM stayed ${v.state}, wanted ${state}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const sawEvent = (state: string): boolean =>
    events.messages.some(
      (m) => m.includes('"vm.updated"') && m.includes(`"state":"${state}"`) && m.includes(id),
    );

  beforeAll(async () => {
    events = new WsCollector(server.ws('/api/events'));
    await events.opened();
  });

  it('boots the test ISO under TCG and shows the serial marker over the websocket', async () => {
    const disk = await server.api('POST', '/api/images', { name: 'root.qcow2', format: 'qcow2', size: '1G' });
    expect(disk.status).toBe(201);
    const created = await server.api('POST', '/api/vms', {
      name: 'tiny',
      memoryMiB: 256,
      vcpus: 1,
      disks: [{ image: 'root.qcow2' }],
      cdrom: 'tinylinux.iso',
      boot: 'cdrom',
      accel: 'auto',
    });
    expect(created.status).toBe(201);
    id = (created.body as VmBody).id;
    const started = await server.api('POST', `/api/vms/${id}/start`);
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ state: 'running', activeAccel: 'tcg' });
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(409);
    await events.waitFor(() => sawEvent('running'), 'running event', 5000);

    const serial = new WsCollector(server.ws(`/api/vms/${id}/serial`));
    await serial.waitFor((c) => c.text.includes(READY), 'the guest ready marker');
    serial.ws.send('echo vw-$((6*7))\n');
    await serial.waitFor((c) => c.text.includes('vw-42'), 'shell echo', 15_000);
    serial.ws.close();

    // A second console gets the scrollback replayed.
    const replay = new WsCollector(server.ws(`/api/vms/${id}/serial`));
    await replay.waitFor(
      (c) => c.text.includes(READY) && c.text.includes('vw-42'),
      'replayed scrollback',
      5000,
    );
    replay.ws.close();
  });

  it('pauses and resumes from QMP, with events', async () => {
    expect((await server.api('POST', `/api/vms/${id}/pause`)).body).toMatchObject({ state: 'paused' });
    await events.waitFor(() => sawEvent('paused'), 'paused event', 5000);
    expect((await server.api('POST', `/api/vms/${id}/pause`)).status).toBe(409);
    expect((await server.api('POST', `/api/vms/${id}/resume`)).body).toMatchObject({ state: 'running' });
    expect((await server.api('POST', `/api/vms/${id}/reset`)).status).toBe(202);
    await events.waitFor(() => events.messages.some((m) => m.includes('"RESET"')), 'RESET qmp event', 5000);
    await waitState('running');
    // The reset really rebooted the guest: the scrollback shows the ready marker a second time.
    const serial = new WsCollector(server.ws(`/api/vms/${id}/serial`));
    await serial.waitFor((c) => c.text.split(READY).length > 2, 'the marker after reset');
    serial.ws.close();
  });

  it('keeps the guest running through a server crash and re-adopts it', async () => {
    const before = await vm();
    expect(before.pid).toBeGreaterThan(0);
    await server.kill9();
    process.kill(before.pid ?? 0, 0); // still alive: throws if not
    await server.start();
    await server.login();
    const after = await vm();
    expect(after).toMatchObject({ state: 'running', pid: before.pid, activeAccel: 'tcg' });
    events = new WsCollector(server.ws('/api/events'));
    await events.opened();
    const serial = new WsCollector(server.ws(`/api/vms/${id}/serial`));
    await serial.opened();
    // The scrollback outlived the server: read back from the guest's log, with a line about the gap.
    await serial.waitFor(
      (c) => /virtweb test guest ready[\s\S]*-- virtweb: the server restarted/.test(c.text),
      'the scrollback from before the crash',
    );
    serial.ws.send('echo adopted-$((2+3))\n');
    await serial.waitFor((c) => c.text.includes('adopted-5'), 'shell after re-adoption', 15_000);
    serial.ws.close();
  });

  it('shuts down through ACPI, powers off, and marks an externally killed qemu as crashed', async () => {
    expect((await server.api('POST', `/api/vms/${id}/shutdown`)).body).toMatchObject({ state: 'stopping' });
    const down = await waitState('stopped');
    expect(down.lastExit).toMatchObject({ kind: 'clean', reason: 'guest powered off' });
    await events.waitFor(() => sawEvent('stopped'), 'stopped event', 5000);

    const second = await server.api('POST', `/api/vms/${id}/start`);
    expect(second.body).toMatchObject({ state: 'running' });
    expect((await server.api('POST', `/api/vms/${id}/poweroff`)).status).toBe(202);
    const off = await waitState('stopped');
    expect(off.pid).toBeUndefined();
    expect(off.lastExit?.kind).not.toBe('crashed');

    const again = await server.api('POST', `/api/vms/${id}/start`);
    expect(again.body).toMatchObject({ state: 'running' });
    process.kill((again.body as VmBody).pid ?? 0, 'SIGKILL');
    const dead = await waitState('crashed');
    expect(dead.lastExit?.kind).toBe('crashed');
    expect(dead.lastExit?.reason).toMatch(/SIGKILL|killed/i);
  });

  it('marks a guest that died while the server was down', async () => {
    const started = await server.api('POST', `/api/vms/${id}/start`);
    const pid = (started.body as VmBody).pid ?? 0;
    await server.kill9();
    process.kill(pid, 'SIGKILL');
    await until(
      'the killed qemu to be gone',
      async () => ((await isLive(pid)) ? undefined : true),
      10_000,
      20,
    );
    await server.start();
    await server.login();
    const v = await vm();
    expect(v.state).toBe('crashed');
    expect(v.lastExit?.reason).toMatch(/server was not running/);
  });

  it("keeps every run's serial output in a log that downloads, and removes it with the VM", async () => {
    const log = await server.api('GET', `/api/vms/${id}/serial.log`);
    expect(log.status).toBe(200);
    const text = String(log.body);
    expect(text.match(/-- virtweb: qemu started \(pid \d+\)/g)?.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/adopted-5/);
    const logs = path.join(dataDir, 'logs');
    expect(await fs.readdir(logs)).toContain(`${id}.serial.log`);
    expect((await server.api('DELETE', `/api/vms/${id}`)).status).toBe(204);
    expect((await fs.readdir(logs)).filter((f) => f.startsWith(id))).toEqual([]);
  });
});
