import { describe, expect, it, beforeAll } from 'vitest';
import { createGuest } from './harness.ts';
import { useServer } from './server-fixture.ts';
import { hmp, powerOff, waitVm } from './storage-guest.ts';

interface DiskBody {
  index: number;
  bus: string;
  cache: string;
  discard: string;
  readOnly: boolean;
  device: string;
  pending?: boolean;
}

/** `info block`'s paragraph of format node `node` (`disk<N>`), on one line. */
function blockOf(info: string, node: string): string {
  const para = info.split(/\r?\n\r?\n/).find((p) => p.trimStart().startsWith(`${node}:`));
  return (para ?? '').replace(/\s+/g, ' ');
}

// Guests with no OS (SeaBIOS finds nothing to boot): what matters here is what qemu made of each disk (that the
// test guest's drivers find each bus is scripts/test-guest.test.ts's part).
describe('every disk bus qemu takes, with cache, discard and read-only', () => {
  const server = useServer();
  const { dataDir } = server;

  beforeAll(async () => {
    for (const name of ['vd.qcow2', 'sd.qcow2', 'sata.qcow2', 'usb.raw', 'ide.qcow2', 'pcsata.qcow2']) {
      const format = name.endsWith('.raw') ? 'raw' : 'qcow2';
      expect((await server.api('POST', '/api/images', { name, format, size: '4M' })).status).toBe(201);
    }
  });

  it('q35: virtio-blk, virtio-scsi, SATA and USB start as asked; new options apply at the next start', async () => {
    const { id } = await createGuest(server, 'q35-buses', {
      os: 'other',
      cdrom: undefined,
      boot: 'disk',
      disks: [
        { image: 'vd.qcow2', bus: 'virtio', cache: 'writethrough' },
        { image: 'sd.qcow2', bus: 'scsi', cache: 'none', discard: 'unmap' },
        { image: 'sata.qcow2', cache: 'directsync' },
        { image: 'usb.raw', bus: 'usb', readOnly: true },
      ],
    });
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    await waitVm(server, id, (vm) => vm.state === 'running', 'running');

    const disks = (await server.api('GET', `/api/vms/${id}/disks`)).body as DiskBody[];
    expect(disks.map((d) => [d.device, d.bus, d.cache, d.discard, d.readOnly, d.pending])).toEqual([
      ['virtio-disk0', 'virtio', 'writethrough', 'ignore', false, false],
      ['scsi-disk1', 'scsi', 'none', 'unmap', false, false],
      // The Other preset's bus on q35
      ['sata-disk2', 'sata', 'directsync', 'ignore', false, false],
      ['usb-disk3', 'usb', 'writeback', 'ignore', true, false],
    ]);
    const info = await hmp(dataDir, id, 'info block');
    expect(blockOf(info, 'disk0')).toMatch(/\(qcow2\) .*Cache mode: writethrough(?!,)/);
    expect(blockOf(info, 'disk1')).toMatch(
      /\(qcow2\) Attached to: scsi-disk1 Cache mode: writeback, direct(?!,)/,
    );
    expect(blockOf(info, 'disk2')).toMatch(
      /\(qcow2\) Attached to: sata-disk2 Cache mode: writethrough, direct(?!,)/,
    );
    expect(blockOf(info, 'disk3')).toMatch(/\(raw, read-only\) .*Cache mode: writeback(?!,)/);
    const qtree = (await hmp(dataDir, id, 'info qtree')).replace(/\s+/g, ' ');
    expect(qtree).toMatch(/dev: virtio-scsi-pci, id "scsi0" .*bus: scsi0\.0 .*dev: scsi-hd, id "scsi-disk1"/);
    expect(qtree).toMatch(/bus: ide\.0 type IDE dev: ide-hd, id "sata-disk2"/);
    expect(qtree).toMatch(/bus: usb\.0 type usb-bus .*dev: usb-storage, id "usb-disk3"/);

    const patch = await server.api('PATCH', `/api/vms/${id}/disks/2`, { cache: 'unsafe' });
    expect(patch.body).toMatchObject({ cache: 'unsafe', pending: true });
    expect(blockOf(await hmp(dataDir, id, 'info block'), 'disk2')).toMatch(/writethrough, direct(?!,)/);
    await powerOff(server, id);
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    await waitVm(server, id, (vm) => vm.state === 'running', 'running');
    expect(blockOf(await hmp(dataDir, id, 'info block'), 'disk2')).toMatch(
      /Cache mode: writeback, ignore flushes(?!,)/,
    );

    // USB takes hot-plug too (usb-storage on the running guest's xHCI), and gives the disk back.
    const usb = await server.api('POST', `/api/vms/${id}/disks`, {
      image: 'hot-usb.qcow2',
      bus: 'usb',
      create: { sizeBytes: 1 << 20 },
    });
    expect(usb.status, JSON.stringify(usb.body)).toBe(201);
    expect(usb.body).toMatchObject({ index: 4, device: 'usb-disk4', pending: false });
    expect(blockOf(await hmp(dataDir, id, 'info block'), 'disk4')).toMatch(/hot-usb\.qcow2 \(qcow2\)/);
    expect((await server.api('DELETE', `/api/vms/${id}/disks/4`)).status).toBe(204);
    expect(blockOf(await hmp(dataDir, id, 'info block'), 'disk4')).toBe('');
    await powerOff(server, id);
  }, 90_000);

  it('pc: IDE on the PIIX controller, SATA on an added AHCI controller', async () => {
    const { id } = await createGuest(server, 'pc-buses', {
      machine: 'pc',
      cdrom: undefined,
      boot: 'disk',
      disks: [
        { image: 'ide.qcow2', bus: 'ide', discard: 'unmap' },
        { image: 'pcsata.qcow2', bus: 'sata' },
      ],
    });
    expect((await server.api('POST', `/api/vms/${id}/start`)).status).toBe(202);
    await waitVm(server, id, (vm) => vm.state === 'running', 'running');
    const qtree = (await hmp(dataDir, id, 'info qtree')).replace(/\s+/g, ' ');
    expect(qtree).toMatch(/bus: ide\.0 type IDE dev: ide-hd, id "ide-disk0"/);
    expect(qtree).toMatch(/dev: ich9-ahci, id "sata0" .*bus: sata0\.0 type IDE dev: ide-hd, id "sata-disk1"/);
    await powerOff(server, id);
  }, 60_000);
});
