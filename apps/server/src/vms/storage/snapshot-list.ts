import type { SnapshotInfo } from './qemu-img-snapshots.ts';
import type { DiskSnapshot } from './snapshot-tree.ts';

/** The internal snapshots one disk slot holds. */
export interface DiskSnapshots {
  index: number;
  snapshots: SnapshotInfo[];
}

/**
 * A VM's snapshots from its disks' snapshot tables: one entry per name. qemu writes the RAM and device state
 * to one disk only (`vmstate`), so that disk's entry gives the date and size; `disks` lists every slot that
 * holds the name.
 */
export function mergeSnapshots(perDisk: DiskSnapshots[]): DiskSnapshot[] {
  const byName = new Map<string, { index: number; info: SnapshotInfo }[]>();
  for (const disk of perDisk) {
    for (const info of disk.snapshots) {
      const list = byName.get(info.name) ?? [];
      // A disk with the name twice (qemu-img allows that) counts once: its first entry is what qemu finds.
      if (!list.some((e) => e.index === disk.index)) list.push({ index: disk.index, info });
      byName.set(info.name, list);
    }
  }
  const out: DiskSnapshot[] = [];
  for (const [name, entries] of byName) {
    const main = entries.find((e) => e.info['vm-state-size'] > 0) ?? entries[0];
    if (!main) continue;
    const vmStateSize = entries.reduce((sum, e) => sum + e.info['vm-state-size'], 0);
    out.push({
      name,
      date: new Date(main.info['date-sec'] * 1000 + Math.floor(main.info['date-nsec'] / 1e6)).toISOString(),
      vmStateSize,
      withRam: vmStateSize > 0,
      vmClockSec: main.info['vm-clock-sec'] + main.info['vm-clock-nsec'] / 1e9,
      disks: entries.map((e) => e.index).sort((a, b) => a - b),
    });
  }
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.name.localeCompare(b.name));
}

/** The slot holding a snapshot's RAM state (the `vmstate` node for `snapshot-load`), if it has one. */
export function vmStateDisk(perDisk: DiskSnapshots[], name: string): number | undefined {
  return perDisk.find((d) => d.snapshots.some((s) => s.name === name && s['vm-state-size'] > 0))?.index;
}
