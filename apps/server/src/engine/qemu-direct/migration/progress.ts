// What qemu reports (query-migrate, query-block-jobs) -> MigrationProgress for the progress bar.
import type { MigrationProgress } from '@virtweb/protocol';
import type { QmpBlockJob, QmpMigrationInfo } from '@virtweb/qmp';

export type DiskCopyProgress = NonNullable<MigrationProgress['disk']>;

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * One `query-migrate` answer as progress. `fraction` is of the current pass: qemu's `remaining` counts the
 * dirty bytes still to send, so it falls within a pass and jumps back up when the next pass starts.
 */
export function migrationProgress(info: QmpMigrationInfo, disk?: DiskCopyProgress): MigrationProgress {
  const ram = info.ram;
  const done = info.status === 'completed';
  const total = ram?.total ?? 0;
  const remaining = done ? 0 : (ram?.remaining ?? total);
  const progress: MigrationProgress = {
    fraction: done ? 1 : total > 0 ? clamp01(1 - remaining / total) : 0,
    transferredBytes: ram?.transferred ?? 0,
    remainingBytes: remaining,
    totalBytes: total,
    dirtyPagesRate: ram?.['dirty-pages-rate'] ?? 0,
    passes: ram?.['dirty-sync-count'] ?? 0,
  };
  if (info['expected-downtime'] !== undefined) progress.expectedDowntimeMs = info['expected-downtime'];
  if (ram?.mbps !== undefined) progress.mbps = ram.mbps;
  if (disk) progress.disk = disk;
  return progress;
}

/** Bytes copied by the mirror jobs named `jobIds`, summed (`len` grows when the guest dirties copied areas). */
export function diskCopyProgress(jobs: readonly QmpBlockJob[], jobIds: readonly string[]): DiskCopyProgress {
  const ours = jobs.filter((j) => jobIds.includes(j.device));
  return {
    copiedBytes: ours.reduce((sum, j) => sum + j.offset, 0),
    totalBytes: ours.reduce((sum, j) => sum + j.len, 0),
  };
}

/** Progress while only the disks are being copied (RAM has not started yet). */
export function diskPhaseProgress(disk: DiskCopyProgress): MigrationProgress {
  return {
    fraction: disk.totalBytes > 0 ? clamp01(disk.copiedBytes / disk.totalBytes) : 0,
    transferredBytes: disk.copiedBytes,
    remainingBytes: Math.max(0, disk.totalBytes - disk.copiedBytes),
    totalBytes: disk.totalBytes,
    dirtyPagesRate: 0,
    passes: 0,
    disk,
  };
}

/** Progress of a save or restore, by bytes of the stream or file moved so far. */
export function byteProgress(doneBytes: number, totalBytes: number): MigrationProgress {
  return {
    fraction: totalBytes > 0 ? clamp01(doneBytes / totalBytes) : 0,
    transferredBytes: doneBytes,
    remainingBytes: Math.max(0, totalBytes - doneBytes),
    totalBytes,
    dirtyPagesRate: 0,
    passes: 0,
  };
}
