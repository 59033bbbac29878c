import { randomBytes } from 'node:crypto';
import { ErrorCode, type SnapshotJobKind, type StorageJob } from '@virtweb/protocol';
import { isQemuImgError } from '@virtweb/qemu';
import type { EventBus } from '../../events/bus.ts';
import { Conflict, DomainError } from '../../domain/errors.ts';
import { GuestJobError } from '../../engine/errors.ts';
import { JOB_ID_PREFIX, type SnapshotJobUpdate } from '../../engine/guest-snapshots.ts';
import { qemuRefused } from './qemu-refused.ts';

export type Report = (update: SnapshotJobUpdate) => void;

/** A fresh job id of this kind. */
export function newJobId(kind: SnapshotJobKind): string {
  return `${JOB_ID_PREFIX}${kind}-${randomBytes(4).toString('hex')}`;
}

/** Runs one snapshot operation, publishing it as `vm.storage-job` events from start to end. */
export async function publishedJob(
  bus: EventBus,
  id: string,
  kind: SnapshotJobKind,
  snapshot: string,
  /** `note`: what was done around it (e.g. a file system freeze), for the job's end. */
  run: (jobId: string, report: Report, note: (words: string) => void) => Promise<void>,
): Promise<void> {
  const jobId = newJobId(kind);
  const publish = (job: Omit<StorageJob, 'jobId' | 'kind' | 'snapshot'>) =>
    bus.publish({ type: 'vm.storage-job', id, job: { jobId, kind, snapshot, ...job } });
  publish({ phase: 'running', status: 'created' });
  try {
    let note: string | undefined;
    await run(
      jobId,
      (u) => publish({ phase: 'running', ...u }),
      (words) => (note = words),
    );
    publish({
      phase: 'succeeded',
      status: 'concluded',
      progress: 1,
      ...(note === undefined ? {} : { note }),
    });
  } catch (err) {
    const error = err instanceof GuestJobError ? err.message : err instanceof Error ? err.message : 'failed';
    publish({
      phase: 'failed',
      status: 'concluded',
      error: isQemuImgError(err) ? err.stderr || error : error,
    });
    throw err;
  }
}

/** qemu's and qemu-img's refusals as Conflict `qemu_failed` with their own words. */
export function refused(err: unknown, what: string): unknown {
  if (err instanceof DomainError) return err;
  let text: string | undefined;
  if (err instanceof GuestJobError) text = `qemu says: ${err.message}`;
  else if (isQemuImgError(err)) text = err.stderr || err.message;
  if (text === undefined) return qemuRefused(err, what);
  const hint = /does not support snapshots|Operation not supported/.test(text)
    ? ' (only qcow2 images have internal snapshots: convert raw disks to qcow2)'
    : '';
  return new Conflict(ErrorCode.qemuFailed, `${what}: ${text}${hint}`);
}
