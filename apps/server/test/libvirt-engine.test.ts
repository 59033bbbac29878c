import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rfbOverWebSocket } from './rfb-client.ts';
import { apiError, imagesDirEntries, READY, WsCollector } from './harness.ts';
import { startLibvirtd, type LibvirtDaemon } from './libvirt-daemon.ts';
import { useServer } from './server-fixture.ts';
import { until } from './until.ts';

interface VmBody {
  id: string;
  state: string;
  engine: { id: string; connection: string };
}
interface ConnectionBody {
  id: string;
  uri: string;
  health: { state: string; hostname?: string; message?: string };
  guests: { name: string; state: string; vmId?: string; readOnly?: string }[];
}

const DISK = 'lv-disk.qcow2';

/** A domain defined the way virt-install would: never started, only listed. */
const foreignXml = (name: string) =>
  `<domain type="qemu"><name>${name}</name><memory unit="MiB">64</memory><vcpu>1</vcpu>` +
  '<os><type arch="x86_64" machine="pc">hvm</type></os></domain>';

// The libvirt engine against a real libvirtd this file starts (its own sockets, auth none): one test guest,
// defined from a wizard request on a libvirt connection, booted, its consoles, shut down, deleted.
describe('the libvirt engine', () => {
  const server = useServer({ withGuestIso: true });
  let daemon: LibvirtDaemon;
  let connection: ConnectionBody;
  let id = '';
  const foreign = `vw-foreign-${process.pid}`;

  const open = async (urlPath: string): Promise<WsCollector> => {
    const c = new WsCollector(server.ws(urlPath));
    await c.opened();
    return c;
  };
  const state = async (): Promise<string> =>
    ((await server.api('GET', `/api/vms/${id}`)).body as VmBody).state;

  beforeAll(async () => {
    daemon = await startLibvirtd();
    const conn = await daemon.connect();
    await conn.defineXml(foreignXml(foreign));
    conn.close();
  }, 60_000);
  afterAll(async () => {
    await daemon.stop((name, xml) => name === foreign || xml.includes(server.dataDir));
  }, 60_000);

  it('adds a connection: qemu:///system with its health and every domain, others read-only', async () => {
    const bad = await server.api('POST', '/api/connections', { uri: 'http://example.org/system' });
    expect(bad.status).toBe(400);
    expect(apiError(bad.body).details?.[0]?.message).toMatch(/transport is qemu/);

    const res = await server.api('POST', '/api/connections', { uri: daemon.uri });
    expect(res.status).toBe(201);
    connection = res.body as ConnectionBody;
    expect(connection.health.state).toBe('ok');
    expect(connection.health.hostname).toBeTruthy();
    const other = connection.guests.find((g) => g.name === foreign);
    expect(other).toMatchObject({ state: 'shutoff' });
    expect(other?.readOnly).toMatch(/defined outside virtweb/);
    expect((await server.api('POST', '/api/connections', { uri: daemon.uri })).status).toBe(409);

    // A remote URI is stored and shown with why it cannot be reached.
    const remote = await server.api('POST', '/api/connections', {
      uri: 'qemu+ssh://admin@lab.invalid/system',
    });
    expect(remote.status).toBe(201);
    expect((remote.body as ConnectionBody).health).toMatchObject({ state: 'unreachable' });
    const removed = await server.api('DELETE', `/api/connections/${(remote.body as ConnectionBody).id}`);
    expect(removed.status).toBe(204);
  });

  it('defines the test guest from a wizard request on the connection and boots it to its serial marker', async () => {
    const t0 = Date.now();
    const res = await server.api('POST', '/api/vms', {
      name: 'lv-tiny',
      os: 'linux',
      memoryMiB: 256,
      vcpus: 1,
      cdrom: 'tinylinux.iso',
      boot: 'cdrom',
      disks: [{ image: DISK, create: { format: 'qcow2', sizeBytes: 32 * 2 ** 20 } }],
      nics: [],
      connection: daemon.uri,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const vm = res.body as VmBody;
    id = vm.id;
    expect(vm.engine).toEqual({ id: 'libvirt', connection: daemon.uri });
    const cmd = (await server.api('GET', `/api/vms/${id}/command-line`)).body as { text: string };
    expect(cmd.text).toContain(`<name>virtweb-${id}</name>`);

    const started = await server.api('POST', `/api/vms/${id}/start`);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await until('the guest running', async () => ((await state()) === 'running' ? true : undefined), 30_000);
    const listed = (await server.api('GET', `/api/connections/${connection.id}`)).body as ConnectionBody;
    expect(listed.guests.find((g) => g.vmId === id)).toMatchObject({
      name: `virtweb-${id}`,
      state: 'running',
    });

    const serial = await open(`/api/vms/${id}/serial`);
    await serial.waitFor((c) => c.text.includes(READY), 'the guest ready marker', 120_000);
    serial.ws.close();
    console.log(`libvirt guest defined, started and booted to its marker in ${Date.now() - t0} ms`);

    // Its graphs: the sampler reads qemu's process (the pid libvirt keeps) and QMP through the bridge.
    const points = await until('metrics points', async () => {
      const m = (await server.api('GET', `/api/vms/${id}/metrics?range=5m`)).body as {
        points: { rss: number; cpu: number }[];
      };
      return m.points.length > 3 ? m.points : undefined;
    });
    expect(points.at(-1)?.rss).toBeGreaterThan(16 * 2 ** 20);
  });

  it('finds the running guest again after a server restart and through a libvirtd restart; shows its screen (RFB), answers HMP and QMP through libvirt', async () => {
    await server.stop();
    await server.start();
    await server.login();
    expect(await state()).toBe('running');
    // libvirtd restarting leaves the domain running; the engine opens its connection again on its own.
    await daemon.restart();

    const v = await rfbOverWebSocket(server.ws(`/api/vms/${id}/vnc`));
    expect(v.serverVersion).toBe('RFB 003.008\n');
    expect(v.width).toBeGreaterThan(0);
    v.close();

    const monitor = await open(`/api/vms/${id}/monitor`);
    await monitor.waitFor((c) => c.text.includes('(qemu) '), 'the monitor prompt', 10_000);
    monitor.ws.send(Buffer.from('info status\r'));
    await monitor.waitFor((c) => /VM status: running/.test(c.text), 'info status', 10_000);
    monitor.ws.close();

    const qmp = await open(`/api/vms/${id}/qmp`);
    await qmp.waitFor((c) => c.text.includes('"QMP"'), 'the QMP greeting', 10_000);
    qmp.ws.send(Buffer.from('{"execute":"qmp_capabilities"}\n'));
    await qmp.waitFor(
      (c) => c.text.includes('"return":{}') || c.text.includes('"return": {}'),
      'capabilities',
      5000,
    );
    qmp.ws.send(Buffer.from('{"execute":"query-status","id":7}\n'));
    await qmp.waitFor(
      (c) => /"status":\s*"running"/.test(c.text) && /"id":\s*7/.test(c.text),
      'query-status',
      5000,
    );

    // Pause and resume through libvirt: the QMP pane sees qemu's events.
    expect((await server.api('POST', `/api/vms/${id}/pause`)).body).toMatchObject({ state: 'paused' });
    expect((await server.api('POST', `/api/vms/${id}/resume`)).body).toMatchObject({ state: 'running' });
    await qmp.waitFor(
      (c) => c.text.includes('"STOP"') && c.text.includes('"RESUME"'),
      'STOP and RESUME',
      5000,
    );
    qmp.ws.close();
  });

  it("takes a snapshot with RAM of the running guest, lists it, reverts to it and deletes it (qemu's jobs through libvirt)", async () => {
    const taken = await server.api('POST', `/api/vms/${id}/snapshots`, { name: 'lv-snap' });
    expect(taken.status, JSON.stringify(taken.body)).toBe(201);
    const listed = (await server.api('GET', `/api/vms/${id}/snapshots`)).body as {
      name: string;
      withRam: boolean;
    }[];
    expect(listed.find((s) => s.name === 'lv-snap')).toMatchObject({ withRam: true });
    const reverted = await server.api('POST', `/api/vms/${id}/snapshots/lv-snap/revert`);
    expect(reverted.status, JSON.stringify(reverted.body)).toBe(200);
    expect(await state()).toBe('running');
    expect((await server.api('DELETE', `/api/vms/${id}/snapshots/lv-snap`)).status).toBe(204);
    expect((await server.api('GET', `/api/vms/${id}/snapshots`)).body).toEqual([]);
  });

  it('shuts the guest down and deletes it with its storage: the domain is gone from libvirt', async () => {
    expect((await server.api('POST', `/api/vms/${id}/shutdown`)).status).toBe(202);
    await until('the guest stopped', async () => ((await state()) === 'stopped' ? true : undefined), 60_000);
    const del = await server.api('DELETE', `/api/vms/${id}`, { deleteImages: [DISK] });
    expect(del.status, JSON.stringify(del.body)).toBe(204);
    expect(await imagesDirEntries(server.dataDir)).not.toContain(DISK);
    const after = (await server.api('GET', `/api/connections/${connection.id}`)).body as ConnectionBody;
    expect(after.guests.map((g) => g.name)).toEqual([foreign]);
    expect((await server.api('DELETE', `/api/connections/${connection.id}`)).status).toBe(204);
  });
});
