import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useServer } from './server-fixture.ts';
import { errorCode, GuestShell, hmp, powerOff, type VmBody } from './storage-guest.ts';

interface DiskBody {
  index: number;
  image: string;
  node: string;
  device: string;
}

// q35 (the default): disks sit on their own PCIe root ports, which is what makes them hot-pluggable there.
describe('disk hot-plug on a running guest, kept in the definition across a restart', () => {
  const server = useServer({ withGuestIso: true });
  const { dataDir } = server;
  let id = '';
  let shell: GuestShell | undefined;

  const vm = async () => (await server.api('GET', `/api/vms/${id}`)).body as VmBody;
  const disks = async () => (await server.api('GET', `/api/vms/${id}/disks`)).body as DiskBody[];
  const guest = (): GuestShell => {
    if (!shell) throw new Error('no guest shell');
    return shell;
  };
  const blockDevs = () => guest().sh('ls /sys/block | grep vd | tr "\\n" " "');
  const image = async (name: string, format: 'qcow2' | 'raw', size: string) => {
    expect((await server.api('POST', '/api/images', { name, format, size })).status).toBe(201);
  };

  beforeAll(async () => {
    await image('root.qcow2', 'qcow2', '32M');
    await image('data.qcow2', 'qcow2', '16M');
    await image('scratch.raw', 'raw', '8M');
    await image('other.qcow2', 'qcow2', '8M');
    const created = await server.api('POST', '/api/vms', {
      name: 'hotplug',
      memoryMiB: 256,
      vcpus: 1,
      disks: [{ image: 'root.qcow2' }],
      cdrom: 'tinylinux.iso',
      boot: 'cdrom',
      nics: [],
    });
    expect(created.status).toBe(201);
    id = (created.body as VmBody).id;
    const other = await server.api('POST', '/api/vms', {
      name: 'other',
      memoryMiB: 64,
      vcpus: 1,
      disks: [{ image: 'other.qcow2' }],
    });
    expect(other.status).toBe(201);
  });
  afterAll(() => {
    shell?.close();
  });

  it('hot-adds disks the guest sees at once, in the lowest free slots', async () => {
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
    expect(await blockDevs()).toBe('vda');

    const added = await server.api('POST', `/api/vms/${id}/disks`, { image: 'data.qcow2' });
    expect(added).toMatchObject({
      status: 201,
      body: { index: 1, image: 'data.qcow2', format: 'qcow2', node: 'disk1', device: 'virtio-disk1' },
    });
    await guest().until('ls /sys/block', (o) => o.includes('vdb'), '/sys/block/vdb');
    expect(await guest().sh('cat /sys/block/vdb/size')).toBe(String((16 * 2 ** 20) / 512));

    const raw = await server.api('POST', `/api/vms/${id}/disks`, { image: 'scratch.raw' });
    expect(raw).toMatchObject({ status: 201, body: { index: 2, format: 'raw' } });
    await guest().until('ls /sys/block', (o) => o.includes('vdc'), '/sys/block/vdc');
    expect((await vm()).disks).toEqual([
      { image: 'root.qcow2', index: 0, format: 'qcow2', bus: 'virtio' },
      { image: 'data.qcow2', index: 1, format: 'qcow2', bus: 'virtio' },
      { image: 'scratch.raw', index: 2, format: 'raw', bus: 'virtio' },
    ]);
  }, 180_000);

  it('hot-removes a disk: it disappears from the guest and the definition', async () => {
    expect((await server.api('DELETE', `/api/vms/${id}/disks/1`)).status).toBe(204);
    // The guest names disks in probe order: the 16 MiB one is gone, the 8 MiB raw one stays.
    await guest().until('ls /sys/block | grep -c vd', (o) => o === '2', 'two disks left');
    expect(await guest().sh('cat /sys/block/vd*/size | sort -n | tr "\\n" " "')).toBe(
      `${(8 * 2 ** 20) / 512} ${(32 * 2 ** 20) / 512}`,
    );
    expect((await vm()).disks.map((d) => d.index)).toEqual([0, 2]);
    // The freed slot is reused.
    const again = await server.api('POST', `/api/vms/${id}/disks`, { image: 'data.qcow2' });
    expect(again).toMatchObject({ status: 201, body: { index: 1 } });
    await guest().until('ls /sys/block | grep -c vd', (o) => o === '3', 'three disks again');
  });

  it('refuses bad requests and changes nothing', async () => {
    const before = (await vm()).disks;
    const cases: [unknown, number, string?][] = [
      [{ image: 'nope.qcow2' }, 400],
      [{ image: '../x' }, 400],
      [{}, 400],
      [{ image: 'other.qcow2' }, 409, 'in_use'],
      [{ image: 'data.qcow2' }, 409, 'in_use'],
      [{ image: 'tinylinux.iso' }, 409, 'in_use'],
    ];
    for (const [body, status, code] of cases) {
      const res = await server.api('POST', `/api/vms/${id}/disks`, body);
      expect([JSON.stringify(body), res.status]).toEqual([JSON.stringify(body), status]);
      if (code !== undefined) expect(errorCode(res.body)).toBe(code);
    }
    expect((await server.api('DELETE', `/api/vms/${id}/disks/5`)).status).toBe(404);
    expect((await server.api('DELETE', `/api/vms/${id}/disks/x`)).status).toBe(404);
    expect((await server.api('DELETE', `/api/vms/${id}/disks/99`)).status).toBe(404);
    expect((await vm()).disks).toEqual(before);
    expect(await guest().sh('ls /sys/block | grep -c vd')).toBe('3');
  });

  it('gives every disk the same qemu names after a restart; a stopped VM only edits its definition', async () => {
    shell?.close();
    await powerOff(server, id);
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    shell = await GuestShell.open(server, id);
    expect(await guest().sh('ls /sys/block | grep -c vd')).toBe('3');
    const info = await hmp(dataDir, id, 'info block');
    expect(info).toMatch(/disk1: \S*\/data\.qcow2 \(qcow2\)\s+Attached to:\s+\S*\/virtio-disk1\//);
    expect(info).toMatch(/disk2: \S*\/scratch\.raw \(raw\)\s+Attached to:\s+\S*\/virtio-disk2\//);
    expect((await disks()).map((d) => [d.index, d.image, d.node])).toEqual([
      [0, 'root.qcow2', 'disk0'],
      [2, 'scratch.raw', 'disk2'],
      [1, 'data.qcow2', 'disk1'],
    ]);
    shell.close();
    shell = undefined;
    await powerOff(server, id);
    expect((await server.api('DELETE', `/api/vms/${id}/disks/2`)).status).toBe(204);
    expect((await server.api('POST', `/api/vms/${id}/disks`, { image: 'scratch.raw' })).body).toMatchObject({
      index: 2,
    });
    expect((await vm()).disks.map((d) => d.image)).toEqual(['root.qcow2', 'data.qcow2', 'scratch.raw']);
  }, 180_000);
});
