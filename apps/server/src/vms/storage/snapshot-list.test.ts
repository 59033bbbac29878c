import { describe, expect, it } from 'vitest';
import type { SnapshotInfo } from './qemu-img-snapshots.ts';
import { mergeSnapshots, vmStateDisk } from './snapshot-list.ts';

const info = (name: string, id: string, vmState: number, dateSec: number): SnapshotInfo => ({
  id,
  name,
  'vm-state-size': vmState,
  'date-sec': dateSec,
  'date-nsec': 500_000_000,
  'vm-clock-sec': 7,
  'vm-clock-nsec': 250_000_000,
});

describe('mergeSnapshots', () => {
  it('makes one snapshot per name, dated and sized by the disk with the RAM state', () => {
    const perDisk = [
      { index: 0, snapshots: [info('b', '1', 0, 200), info('a', '2', 4096, 100)] },
      { index: 3, snapshots: [info('a', '1', 0, 101)] },
    ];
    expect(mergeSnapshots(perDisk)).toEqual([
      {
        name: 'a',
        date: '1970-01-01T00:01:40.500Z',
        vmStateSize: 4096,
        withRam: true,
        vmClockSec: 7.25,
        disks: [0, 3],
      },
      {
        name: 'b',
        date: '1970-01-01T00:03:20.500Z',
        vmStateSize: 0,
        withRam: false,
        vmClockSec: 7.25,
        disks: [0],
      },
    ]);
    expect(vmStateDisk(perDisk, 'a')).toBe(0);
    expect(vmStateDisk(perDisk, 'b')).toBeUndefined();
  });

  it('counts a name twice on one disk once', () => {
    const perDisk = [{ index: 1, snapshots: [info('x', '1', 0, 1), info('x', '2', 0, 2)] }];
    expect(mergeSnapshots(perDisk).map((s) => [s.name, s.disks])).toEqual([['x', [1]]]);
  });
});
