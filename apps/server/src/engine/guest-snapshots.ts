import type { SnapshotInfo } from '../vms/storage/qemu-img-snapshots.ts';
import type { RunningGuest } from './running-guest.ts';

/** Ids of the jobs virtweb starts (`vw-snapshot-save-1a2b3c4d`): a restart dismisses those left concluded. */
export const JOB_ID_PREFIX = 'vw-';

/** How far a snapshot job of a running guest is. */
export interface SnapshotJobUpdate {
  status: string;
  /** 0..1 when the engine reports a total. */
  progress?: number;
}

/** One job of a running guest's snapshots: its id (shown in events) and where its progress goes. */
export interface SnapshotJob {
  jobId: string;
  onUpdate: (update: SnapshotJobUpdate) => void;
}

/**
 * Internal snapshots of a running guest: its disks (by slot) and its RAM and device state together. A stopped
 * guest's snapshots are its image files' (qemu-img), the same for every engine whose disks are files.
 */
export interface GuestSnapshotOps {
  /** Each slot's snapshot table as the running guest has it open. */
  list(
    guest: RunningGuest,
    slots: readonly number[],
  ): Promise<{ index: number; snapshots: SnapshotInfo[] }[]>;
  /** Takes `name` on `slots`, the device state written to the first. */
  save(guest: RunningGuest, name: string, slots: readonly number[], job: SnapshotJob): Promise<void>;
  /** Goes back to `name` on `slots`, the device state read from `stateSlot`. */
  load(
    guest: RunningGuest,
    name: string,
    slots: readonly number[],
    stateSlot: number,
    job: SnapshotJob,
  ): Promise<void>;
  delete(guest: RunningGuest, name: string, slots: readonly number[], job: SnapshotJob): Promise<void>;
}
