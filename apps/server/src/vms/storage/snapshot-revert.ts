// A revert that failed part-way: what each disk holds now, and the guest stopped rather than left running or
// paused on disks that may no longer match its memory.
import { ErrorCode } from '@virtweb/protocol';
import { isQmpExecuteError } from '@virtweb/qmp';
import { Conflict } from '../../domain/errors.ts';
import { exitWithin, explainsExit, guestDied } from '../qemu-death.ts';
import type { VmRuntime } from '../vm-runtime.ts';
import type { VmStates } from '../vm-states.ts';
import { readsAsSnapshot } from './qcow2-tables.ts';
import { checkImage } from './qemu-img-snapshots.ts';
import { GuestJobError } from '../../engine/errors.ts';

/** A disk of a revert: its slot, image, file and format. */
export interface RevertDisk {
  index: number;
  image: string;
  path: string;
  format: string;
}

/** A revert: the snapshot's name, the VM's disks, and the qemu-img that checks them afterwards. */
export interface RevertTarget {
  qemuImg: string;
  disks: RevertDisk[];
  name: string;
}

/** Each disk's state in words, and as `details` (`disks.<slot>`). */
export interface DiskReport {
  summary: string;
  details: { path: string; message: string }[];
}

/**
 * What each disk holds after a failed revert, read from its qcow2 tables (qemu must be gone or the guest
 * stopped: nothing writes to them). "reverted to s" when its tables are the snapshot's, else what it held
 * before the revert; and whether `qemu-img check` finds it damaged.
 */
export async function reportDisks({ qemuImg, disks, name }: RevertTarget): Promise<DiskReport> {
  const details = await Promise.all(
    disks.map(async (d) => {
      const label = `disk ${d.index} (${d.image})`;
      const state = await readsAsSnapshot(d.path, name).then(
        (at) => (at ? `reverted to ${name}` : 'not reverted: it holds what it held before'),
        (err: unknown) => `unknown: ${err instanceof Error ? err.message : String(err)}`,
      );
      return { path: `disks.${d.index}`, message: `${label}: ${state}${await damage(qemuImg, d)}` };
    }),
  );
  return { summary: details.map((d) => d.message).join('; '), details };
}

/**
 * What `qemu-img check` says of a disk after a failed revert, as a clause ("" when it is consistent; leaked
 * clusters only waste space).
 */
async function damage(qemuImg: string, disk: RevertDisk): Promise<string> {
  // NOTE: qemu's qcow2 snapshot goto is not crash-safe (block/qcow2-snapshot.c says so): a qemu killed
  // inside it can leave refcounts wrong. Those are found here so the answer says so, not the next boot.
  if (disk.format !== 'qcow2') return '';
  return checkImage(qemuImg, disk).then(
    (c) =>
      c.corruptions === 0
        ? ''
        : `; qemu-img check finds ${c.corruptions} corruption(s) in it: back it up, then repair it ` +
          `(qemu-img check -r all) before the next start`,
    (err: unknown) => `; qemu-img check cannot read it: ${err instanceof Error ? err.message : String(err)}`,
  );
}

/**
 * The answer for a live `snapshot-load` that failed. qemu refusing to create the job touched nothing (its
 * error goes on as it was). Otherwise the job ran: qemu reverts the disks first and loads the memory after, so
 * the guest may be paused on reverted disks with memory that is not theirs. It is powered off (quit, SIGTERM,
 * SIGKILL), then the disks are read: Conflict `qemu_failed` saying what each holds. When qemu died inside the job:
 * Conflict `guest_died` with the same report.
 */
export async function liveRevertFailed(
  states: VmStates,
  vmId: string,
  rt: VmRuntime,
  target: RevertTarget,
  err: unknown,
): Promise<unknown> {
  const { name } = target;
  if (isQmpExecuteError(err)) return err;
  const what = `reverting to snapshot ${name}`;
  const died = rt.guest.exit ?? (rt.guest.qmp.state === 'ready' ? undefined : await exitWithin(rt, 5000));
  if (died) {
    const report = await reportDisks(target);
    return guestDied(what, died, `. ${report.summary}`, report.details);
  }
  // The exit moves the VM to `stopped` (its exit handling runs before this await returns).
  await rt.guest.stop({ from: 'quit' });
  const reason = `powered off by virtweb: the revert to snapshot ${name} failed`;
  states.note(vmId, { kind: 'clean', reason, at: new Date().toISOString() });
  const report = await reportDisks(target);
  const said =
    err instanceof GuestJobError ? `qemu says: ${err.message}` : err instanceof Error ? err.message : '';
  return explainsExit(
    new Conflict(
      ErrorCode.qemuFailed,
      `cannot revert to snapshot ${name}: ${said}. The guest was powered off rather than left on disks that ` +
        `may not match its memory. ${report.summary}`,
      report.details,
    ),
  );
}
