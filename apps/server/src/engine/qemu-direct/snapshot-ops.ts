import { diskIds } from '@virtweb/qemu';
import type { GuestSnapshotOps } from '../guest-snapshots.ts';
import { runQmpJob } from './qmp-jobs.ts';

const nodesOf = (slots: readonly number[]): string[] => slots.map((i) => diskIds(i).node);

/**
 * Internal snapshots of a qemu-direct guest: the QMP jobs `snapshot-save` / `snapshot-load` / `snapshot-delete`
 * on the disks' format nodes, the RAM and device state in the first (or the given) disk.
 */
export const qemuSnapshotOps: GuestSnapshotOps = {
  async list(guest, slots) {
    const nodes = await guest.qmp.execute('query-named-block-nodes', { flat: true });
    return slots.map((index) => ({
      index,
      snapshots: nodes.find((n) => n['node-name'] === diskIds(index).node)?.image.snapshots ?? [],
    }));
  },
  save(guest, name, slots, { jobId, onUpdate }) {
    const devices = nodesOf(slots);
    const [vmstate = ''] = devices;
    const start = () => guest.qmp.execute('snapshot-save', { 'job-id': jobId, tag: name, vmstate, devices });
    return runQmpJob(guest.qmp, { jobId, start, onUpdate });
  },
  load(guest, name, slots, stateSlot, { jobId, onUpdate }) {
    const devices = nodesOf(slots);
    const vmstate = diskIds(stateSlot).node;
    const start = () => guest.qmp.execute('snapshot-load', { 'job-id': jobId, tag: name, vmstate, devices });
    return runQmpJob(guest.qmp, { jobId, start, onUpdate });
  },
  delete(guest, name, slots, { jobId, onUpdate }) {
    const devices = nodesOf(slots);
    const start = () => guest.qmp.execute('snapshot-delete', { 'job-id': jobId, tag: name, devices });
    return runQmpJob(guest.qmp, { jobId, start, onUpdate });
  },
};
