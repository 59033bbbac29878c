import { diskIds } from '@virtweb/qemu';
import { qmpSnapshotOps } from '../qmp-snapshot-ops.ts';

/** Internal snapshots of a qemu-direct guest: QMP jobs on the format nodes virtweb named (`disk<slot>`). */
export const qemuSnapshotOps = qmpSnapshotOps((_qmp, slots) =>
  Promise.resolve(slots.map((i) => diskIds(i).node)),
);
