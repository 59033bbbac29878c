import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WsCollector } from './harness.ts';
import { useServer } from './server-fixture.ts';
import {
  errorCode,
  errorMessage,
  GuestShell,
  powerOff,
  waitVm,
  READ_MARKER as READ,
  type VmBody,
  WRITE_MARKER as WRITE,
} from './storage-guest.ts';

interface SnapshotBody {
  name: string;
  withRam: boolean;
  vmStateSize: number;
  disks: number[];
  date: string;
}

describe('internal snapshots: with RAM while running, disk-only while stopped', () => {
  const server = useServer({ withGuestIso: true });
  let events: WsCollector;
  let id = '';
  let shell: GuestShell | undefined;

  const snapshots = async () => (await server.api('GET', `/api/vms/${id}/snapshots`)).body as SnapshotBody[];
  const names = async () => (await snapshots()).map((s) => s.name);
  const take = (name: string) => server.api('POST', `/api/vms/${id}/snapshots`, { name });
  const guest = (): GuestShell => {
    if (!shell) throw new Error('no guest shell');
    return shell;
  };
  const boot = async () => {
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
  };
  const stop = async () => {
    shell?.close();
    shell = undefined;
    await powerOff(server, id);
  };
  const jobEvents = (kind: string, phase: string) =>
    events.messages.filter((m) => m.includes('"vm.storage-job"') && m.includes(kind) && m.includes(phase));

  beforeAll(async () => {
    events = new WsCollector(server.ws('/api/events'));
    await events.opened();
    for (const [name, format] of [
      ['root.qcow2', 'qcow2'],
      ['scratch.raw', 'raw'],
    ] as const) {
      expect((await server.api('POST', '/api/images', { name, format, size: '16M' })).status).toBe(201);
    }
    const created = await server.api('POST', '/api/vms', {
      name: 'snap',
      memoryMiB: 256,
      vcpus: 1,
      disks: [{ image: 'root.qcow2' }],
      cdrom: 'tinylinux.iso',
      boot: 'cdrom',
      nics: [],
    });
    expect(created.status).toBe(201);
    id = (created.body as VmBody).id;
  });
  afterAll(() => {
    shell?.close();
  });

  it('takes a snapshot with RAM and reverts disk and memory to it', async () => {
    await boot();
    await guest().sh(`${WRITE('SNAP-ONE')}; echo mem-one > /tmp/mem`);
    const s1 = await take('s1');
    expect(s1).toMatchObject({ status: 201, body: { name: 's1', withRam: true, disks: [0] } });
    expect((s1.body as SnapshotBody).vmStateSize).toBeGreaterThan(0);
    expect(jobEvents('snapshot-save', '"succeeded"')).toHaveLength(1);
    await waitVm(server, id, (v) => v.state === 'running', 'running again after the save');

    await guest().sh(`${WRITE('SNAP-TWO')}; echo mem-two > /tmp/mem`);
    expect(await guest().sh(`${READ}; cat /tmp/mem`)).toBe('SNAP-TWO\r\nmem-two');
    const reverted = await server.api('POST', `/api/vms/${id}/snapshots/s1/revert`);
    expect(reverted).toMatchObject({ status: 200, body: { name: 's1' } });
    await waitVm(server, id, (v) => v.state === 'running', 'running after the revert');
    expect(await guest().sh(`${READ}; cat /tmp/mem`)).toBe('SNAP-ONE\r\nmem-one');
    expect(jobEvents('snapshot-load', '"succeeded"')).toHaveLength(1);
    expect(await names()).toEqual(['s1']);
  }, 180_000);

  it('refuses bad names, duplicates, unknown snapshots and raw disks, changing nothing', async () => {
    for (const name of ['1', 'a b', '.x', 'x'.repeat(65), '']) {
      const res = await take(name);
      expect([name, res.status]).toEqual([name, 400]);
    }
    expect(errorCode((await take('s1')).body)).toBe('already_exists');
    expect((await server.api('POST', `/api/vms/${id}/snapshots/nope/revert`)).status).toBe(404);
    expect((await server.api('DELETE', `/api/vms/${id}/snapshots/nope`)).status).toBe(404);
    expect((await server.api('DELETE', `/api/vms/${id}/snapshots/a..b%20c`)).status).toBe(400);

    expect((await server.api('POST', `/api/vms/${id}/disks`, { image: 'scratch.raw' })).status).toBe(201);
    const raw = await take('s2');
    expect(raw.status).toBe(409);
    expect(errorMessage(raw.body)).toMatch(/disk1.*does not support snapshots.*qcow2/);
    expect(jobEvents('snapshot-save', '"failed"').length).toBeGreaterThan(0);
    expect(await names()).toEqual(['s1']);
    expect((await server.api('DELETE', `/api/vms/${id}/disks/1`)).status).toBe(204);
    expect((await server.api('GET', `/api/vms/${id}`)).body).toMatchObject({ state: 'running' });
  });

  it('deletes a snapshot of a running VM', async () => {
    expect((await server.api('DELETE', `/api/vms/${id}/snapshots/s1`)).status).toBe(204);
    expect(await names()).toEqual([]);
    expect((await take('live2')).status).toBe(201);
  });

  it('while stopped: lists, takes disk-only snapshots, refuses raw disks, reverts and deletes with qemu-img', async () => {
    await stop();
    expect(await snapshots()).toMatchObject([{ name: 'live2', withRam: true }]);
    const off1 = await take('off1');
    expect(off1).toMatchObject({ status: 201, body: { name: 'off1', withRam: false, vmStateSize: 0 } });
    expect(jobEvents('off1', '"succeeded"')).toHaveLength(1);

    await boot();
    const live = await server.api('POST', `/api/vms/${id}/snapshots/off1/revert`);
    expect(live.status).toBe(409);
    expect(errorMessage(live.body)).toMatch(/disk-only/);
    expect(await guest().sh(READ)).toBe('SNAP-ONE');
    await guest().sh(WRITE('SNAP-THREE'));
    expect(await guest().sh(READ)).toBe('SNAP-THREE');
    await stop();

    expect((await server.api('POST', `/api/vms/${id}/snapshots/off1/revert`)).status).toBe(200);
    expect((await server.api('POST', `/api/vms/${id}/disks`, { image: 'scratch.raw' })).status).toBe(201);
    const raw = await take('off2');
    expect(raw.status).toBe(409);
    expect(errorMessage(raw.body)).toMatch(/Operation not supported/);
    expect(await names()).toEqual(['live2', 'off1']);
    expect((await server.api('DELETE', `/api/vms/${id}/disks/1`)).status).toBe(204);
    expect((await server.api('DELETE', `/api/vms/${id}/snapshots/live2`)).status).toBe(204);
    expect(await names()).toEqual(['off1']);

    await boot();
    expect(await guest().sh(READ)).toBe('SNAP-ONE');
  }, 240_000);
});
