import { ErrorCode } from '@virtweb/protocol';
import type { QmpClient } from '@virtweb/qmp';
import { Conflict } from '../../domain/errors.ts';
import { qmpSnapshotOps } from '../qmp-snapshot-ops.ts';

/** The device alias each disk gets in the domain XML (libvirt's user aliases start with `ua-`). */
export const diskAlias = (slot: number): string => `ua-disk${slot}`;

/**
 * The format node of each disk slot in the running domain, found by the disk's alias (its qdev id): libvirt
 * names the nodes itself (`libvirt-<n>-format`).
 * @throws Conflict when a slot has no disk in the domain
 */
async function nodesOf(qmp: QmpClient, slots: readonly number[]): Promise<string[]> {
  const blocks = await qmp.execute('query-block');
  return slots.map((slot) => {
    const alias = diskAlias(slot);
    const found = blocks.find((b) => b.qdev === alias || b.qdev?.startsWith(`/machine/peripheral/${alias}/`));
    const node = found?.inserted?.['node-name'];
    if (node === undefined)
      throw new Conflict(ErrorCode.conflict, `disk slot ${slot} is not in the libvirt domain`);
    return node;
  });
}

/**
 * Internal snapshots of a running libvirt guest, as virtweb keeps them for every guest: qcow2 snapshot tables
 * of its disks (RAM and device state in the first), written by qemu's snapshot jobs sent through
 * `qemu-monitor-command`.
 * NOTE: not libvirt's snapshot API: its metadata would not know the snapshots virtweb takes of a stopped guest
 * with qemu-img (the same tables), and libvirt reverts only snapshots it recorded.
 */
export const libvirtSnapshotOps = qmpSnapshotOps(nodesOf);
