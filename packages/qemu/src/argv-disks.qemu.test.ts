// The disk-buses golden fixtures, given to qemu 7.2 (TCG, paused): every bus's device sits where the argv puts
// it (`info qtree`), and each disk's cache mode and read-only reach its block backend (`query-block`).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createImage } from './qemu-img.ts';
import type { VmSpec } from './spec.ts';
import { Sandbox, busesInQtree } from './supervisor/test-support.ts';

const sandbox = new Sandbox();
afterAll(() => sandbox.cleanup());

async function fixtureSpec(name: string): Promise<VmSpec> {
  const spec = JSON.parse(
    await readFile(join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8'),
  ) as VmSpec;
  const dir = await sandbox.dir();
  const disks = await Promise.all(
    spec.disks.map(async (d) => {
      const path = join(dir, d.path.split('/').at(-1) ?? 'x');
      await createImage({ path, format: d.format === 'raw' ? 'raw' : 'qcow2', sizeBytes: 1 << 20 });
      return { ...d, path };
    }),
  );
  return { ...spec, disks };
}

/** Per format node: [writeback, direct, no-flush, read-only] as qemu's block backend has them. */
async function blockFacts(spec: VmSpec): Promise<{ buses: Map<string, string>; nodes: Map<string, string> }> {
  const proc = await sandbox.start(undefined, [], spec);
  const qtree = await proc.qmp.execute('human-monitor-command', { 'command-line': 'info qtree' });
  const nodes = new Map<string, string>();
  for (const b of await proc.qmp.execute('query-block')) {
    const i = b.inserted;
    if (i?.['node-name'] === undefined || b.removable) continue;
    const c = i.cache;
    nodes.set(
      i['node-name'],
      [
        c.writeback ? 'wb' : 'wt',
        c.direct ? 'direct' : '-',
        c['no-flush'] ? 'no-flush' : '-',
        i.ro ? 'ro' : 'rw',
      ].join(' '),
    );
  }
  return { buses: busesInQtree(qtree), nodes };
}

describe('qemu accepts every disk bus', () => {
  it('q35: virtio-blk, virtio-scsi, SATA on the built-in AHCI, usb-storage on the xHCI', async () => {
    const { buses, nodes } = await blockFacts(await fixtureSpec('disk-buses-q35'));
    expect(buses.get('virtio-disk0')).toBe('disk0-port');
    expect(buses.get('scsi0')).toBe('scsi0-port');
    expect(buses.get('scsi-disk3')).toBe('scsi0.0');
    expect(buses.get('sata-disk1')).toBe('ide.0');
    expect(buses.get('usb-disk2')).toBe('usb.0');
    expect(Object.fromEntries(nodes)).toEqual({
      disk0: 'wt - - rw', // writethrough
      disk3: 'wb direct - rw', // none
      disk1: 'wt direct - rw', // directsync
      disk2: 'wb direct - ro', // none, read-only
    });
  });

  it('pc: IDE on PIIX, SATA on an added AHCI, virtio-scsi and virtio-blk on pci.0', async () => {
    const { buses, nodes } = await blockFacts(await fixtureSpec('disk-buses-pc'));
    expect(buses.get('ide-disk0')).toBe('ide.0');
    expect(buses.get('sata0')).toBe('pci.0');
    expect(buses.get('sata-disk1')).toBe('sata0.0');
    expect(buses.get('scsi-disk2')).toBe('scsi0.0');
    expect(buses.get('virtio-disk3')).toBe('pci.0');
    expect(Object.fromEntries(nodes)).toEqual({
      disk0: 'wb - - rw',
      disk1: 'wb - no-flush rw', // unsafe
      disk2: 'wb - - ro',
      disk3: 'wb - - ro',
    });
  });
});
