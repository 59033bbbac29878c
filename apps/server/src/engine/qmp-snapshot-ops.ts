import type { QmpClient } from '@virtweb/qmp';
import type { GuestSnapshotOps } from './guest-snapshots.ts';
import { runQmpJob } from './qmp-jobs.ts';

/** The format node of each disk slot, as the engine names its nodes. */
export type SlotNodes = (qmp: QmpClient, slots: readonly number[]) => Promise<string[]>;

/**
 * Internal snapshots of a running qemu, whichever engine started it: the QMP jobs `snapshot-save` /
 * `snapshot-load` / `snapshot-delete` on the disks' format nodes, the RAM and device state in the first (or the
 * given) disk.
 */
export function qmpSnapshotOps(nodesOf: SlotNodes): GuestSnapshotOps {
  return {
    async list(guest, slots) {
      const [nodes, all] = await Promise.all([
        nodesOf(guest.qmp, slots),
        guest.qmp.execute('query-named-block-nodes', { flat: true }),
      ]);
      return slots.map((index, i) => ({
        index,
        snapshots: all.find((n) => n['node-name'] === nodes[i])?.image.snapshots ?? [],
      }));
    },
    async save(guest, name, slots, { jobId, onUpdate }) {
      const devices = await nodesOf(guest.qmp, slots);
      const [vmstate = ''] = devices;
      const start = () =>
        guest.qmp.execute('snapshot-save', { 'job-id': jobId, tag: name, vmstate, devices });
      return runQmpJob(guest.qmp, { jobId, start, onUpdate });
    },
    async load(guest, name, slots, stateSlot, { jobId, onUpdate }) {
      const devices = await nodesOf(guest.qmp, slots);
      const [vmstate = ''] = await nodesOf(guest.qmp, [stateSlot]);
      const start = () =>
        guest.qmp.execute('snapshot-load', { 'job-id': jobId, tag: name, vmstate, devices });
      return runQmpJob(guest.qmp, { jobId, start, onUpdate });
    },
    async delete(guest, name, slots, { jobId, onUpdate }) {
      const devices = await nodesOf(guest.qmp, slots);
      const start = () => guest.qmp.execute('snapshot-delete', { 'job-id': jobId, tag: name, devices });
      return runQmpJob(guest.qmp, { jobId, start, onUpdate });
    },
  };
}
