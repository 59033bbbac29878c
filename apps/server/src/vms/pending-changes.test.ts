import { DEFAULT_DEVICES } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import type { VmDefinition } from './definition.ts';
import { pendingChanges, sameDisks } from './pending-changes.ts';

const base: VmDefinition = {
  name: 'a',
  os: 'linux',
  memoryMiB: 256,
  vcpus: 1,
  topology: { sockets: 1, cores: 1, threads: 1 },
  disks: [{ image: 'a.qcow2', index: 0, format: 'qcow2', bus: 'virtio' }],
  boot: 'disk',
  accel: 'auto',
  nics: [
    { slot: 0, mode: 'user', model: 'virtio', mac: '52:54:00:00:00:01', linkUp: true, portForwards: [] },
  ],
  machine: 'q35',
  firmware: 'bios',
  noKernelIrqchip: false,
  balloon: true,
  clock: 'utc',
  devices: DEFAULT_DEVICES,
  guestAgent: false,
  usb: [],
};

describe('pendingChanges', () => {
  it('lists the restart-only fields that differ, deeply compared', () => {
    expect(pendingChanges(base, { ...base })).toEqual([]);
    const edited: VmDefinition = {
      ...base,
      name: 'renamed',
      memoryMiB: 512,
      nics: [
        {
          slot: 0,
          mode: 'user',
          model: 'virtio',
          mac: '52:54:00:00:00:01',
          linkUp: true,
          portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }],
        },
      ],
      cdrom: 'x.iso',
    };
    expect(pendingChanges(base, edited)).toEqual(['memoryMiB', 'nics']);
    expect(pendingChanges(base, { ...base, topology: { sockets: 1, cores: 1, threads: 1 } })).toEqual([]);
  });

  it('lists disks added for the next start or with new options', () => {
    const sata = { image: 'b.qcow2', index: 1, format: 'qcow2', bus: 'sata' as const };
    expect(pendingChanges(base, { ...base, disks: [...base.disks, sata] })).toEqual(['disks']);
    const [root] = base.disks;
    if (root === undefined) throw new Error('base has a disk');
    expect(pendingChanges(base, { ...base, disks: [{ ...root, cache: 'none' }] })).toEqual(['disks']);
    expect(pendingChanges(base, { ...base, disks: [{ ...root }] })).toEqual([]);
  });
});

describe('sameDisks', () => {
  it('compares images and buses in order', () => {
    expect(sameDisks(base.disks, [{ image: 'a.qcow2', bus: 'virtio' }])).toBe(true);
    expect(sameDisks(base.disks, [{ image: 'a.qcow2', bus: 'ide' }])).toBe(false);
    expect(sameDisks(base.disks, [])).toBe(false);
  });
});
