import { diskIds } from '@virtweb/qemu';
import type { GuestMigrationOps } from '../guest-migration.ts';
import {
  cancelAndSettle,
  closeIncoming,
  finishIncoming,
  prepareIncoming,
  restoreState,
  resumeSource,
  runLiveMigration,
  saveState,
  startNbdExports,
  waitStreamArrived,
} from './migration/index.ts';

/** Live migration, save and restore of a qemu-direct guest: qemu's own migration, driven over QMP. */
export const qemuMigrationOps: GuestMigrationOps = {
  migrate: (guest, input) => runLiveMigration(guest.qmp, input),
  prepareIncoming: (guest, opts) => prepareIncoming(guest.qmp, opts),
  exportDisks: (guest, { listenHost, slots, encrypted }) =>
    startNbdExports(guest.qmp, {
      listenHost,
      encrypted: encrypted === true,
      // NOTE: a disk has the same node name on both sides (disk<N>): the source mirrors its node to the same name.
      disks: slots.map((i) => ({ node: diskIds(i).node, exportName: diskIds(i).node })),
    }),
  // NOTE: a guest paused on the source arrives paused: the stream loaded, the NBD exports closed, and no `cont`
  // (its disks stay inactive until the user resumes it, which activates them).
  async arrivePaused(guest, opts) {
    await waitStreamArrived(guest.qmp, opts);
    await closeIncoming(guest.qmp);
  },
  finishIncoming: (guest, opts) => finishIncoming(guest.qmp, opts),
  cancel: (guest, timeoutMs) => cancelAndSettle(guest.qmp, timeoutMs),
  resumeSource: (guest, wasRunning) => resumeSource(guest.qmp, wasRunning),
  save: (guest, input) => saveState(guest.qmp, input),
  restore: (guest, input) => restoreState(guest.qmp, input),
};
