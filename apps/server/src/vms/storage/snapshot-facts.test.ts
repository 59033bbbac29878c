import { DEFAULT_DEVICES } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import type { VmDefinition } from '../definition.ts';
import { hardwareOf, snapshotDifferences, type SnapshotFacts } from './snapshot-facts.ts';

const MiB = 2 ** 20;
const disk = (index: number, image: string, virtualSize = 16 * MiB) => ({
  index,
  image,
  format: 'qcow2',
  bus: 'virtio',
  virtualSize,
});
const launched = {
  machine: 'q35',
  firmware: 'bios',
  memoryMiB: 256,
  vcpus: 1,
  topology: { sockets: 1, cores: 1, threads: 1 },
  nics: [
    { slot: 0, mode: 'user', model: 'virtio', mac: '52:54:00:00:00:01', linkUp: true, portForwards: [] },
  ],
  balloon: false,
  clock: 'utc',
  noKernelIrqchip: false,
  devices: DEFAULT_DEVICES,
} as unknown as VmDefinition;

describe('snapshotDifferences', () => {
  const then: SnapshotFacts = {
    withRam: true,
    disks: [disk(0, 'root.qcow2'), disk(1, 'data.qcow2')],
    hardware: hardwareOf(launched, 'tcg'),
  };

  it('finds nothing when the VM is as it was', () => {
    expect(snapshotDifferences(then, { disks: then.disks, hardware: hardwareOf(launched, 'tcg') })).toEqual(
      [],
    );
  });

  it('names disks detached, attached, replaced or resized since, and the hardware that differs', () => {
    const now = {
      disks: [disk(0, 'root.qcow2', 32 * MiB), disk(2, 'new.qcow2')],
      hardware: hardwareOf({ ...launched, memoryMiB: 512 }, 'tcg'),
    };
    expect(snapshotDifferences(then, now)).toEqual([
      'disk 0 (root.qcow2) is 32 MiB now, 16 MiB in the snapshot',
      'disk 1 (data.qcow2) was detached since the snapshot',
      'disk 2 (new.qcow2) was attached since the snapshot',
      'memoryMiB is 512 in the running qemu, 256 in the snapshot',
    ]);
    expect(snapshotDifferences(then, { disks: [disk(0, 'root.qcow2'), disk(1, 'other.qcow2')] })).toEqual([
      'disk 1 is other.qcow2 now, data.qcow2 in the snapshot',
    ]);
  });

  it("counts the devices as hardware: a snapshot's RAM holds their state", () => {
    const devices = { ...launched.devices, rng: !launched.devices.rng };
    const now = { disks: then.disks, hardware: hardwareOf({ ...launched, devices }, 'tcg') };
    expect(snapshotDifferences(then, now)).toEqual([
      `devices is ${JSON.stringify(devices)} in the running qemu, ${JSON.stringify(launched.devices)} in the snapshot`,
    ]);
  });

  it('leaves the hardware out of an offline revert and of a disk-only snapshot', () => {
    const other = hardwareOf({ ...launched, vcpus: 4 }, 'kvm');
    expect(snapshotDifferences(then, { disks: then.disks })).toEqual([]);
    expect(snapshotDifferences({ ...then, withRam: false }, { disks: then.disks, hardware: other })).toEqual(
      [],
    );
  });
});
