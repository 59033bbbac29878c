// The sending side of a live migration: settings, the disk copy, `migrate`, progress, and a safe way back.
import type { MigrationOptions, MigrationPhase, MigrationProgress } from '@virtweb/protocol';
import type { QmpClient, QmpMigrationInfo } from '@virtweb/qmp';
import {
  applyMigrationSettings,
  sourceCapabilities,
  sourceParameters,
  type MigrationTuning,
} from './capabilities.ts';
import { cancelledError, describeCause, failedError, MigrationError } from './errors.ts';
import { cancelAndSettle, pollMigration, resumeSource, safeListener } from './migration-poll.ts';
import { DiskMirrors, type MirrorTarget } from './mirror.ts';
import { diskPhaseProgress, migrationProgress } from './progress.ts';
import { addStreamCreds, dropStreamTls, type StreamTls } from './stream-tls.ts';

export type ProgressListener = (progress: MigrationProgress, phase: MigrationPhase) => void;

export interface LiveMigrationInput {
  /** From the target's `prepareIncoming` (`tcp:host:port`). */
  uri: string;
  options: MigrationOptions;
  /**
   * Encrypt the stream: the client's credentials from the same CA as the target's (`prepareIncoming({ tls })`);
   * absent: plain TCP. Dropped again when the migration ends, either way.
   */
  tls?: StreamTls;
  tuning?: MigrationTuning;
  /** Copy storage: the target's NBD exports (`startNbdExports`); the disks are mirrored before RAM moves. */
  mirror?: MirrorTarget;
  /**
   * Phases `mirroring`, `migrating`, `postcopy` (the source is paused for good and the disks are handed over:
   * the caller may `finishIncoming` on the target now), `switching` (RAM done, ending the disk mirrors).
   */
  onProgress?: ProgressListener;
  /** Abort = cancel: `migrate_cancel`, mirrors aborted, the source keeps running. Ignored once in post-copy. */
  signal?: AbortSignal;
  /** query-migrate / query-block-jobs period; default 500 ms. */
  pollIntervalMs?: number;
}

export interface LiveMigrationResult {
  /** qemu's `total-time`: from `migrate` to completion (excludes the disk copy before it). */
  totalTimeMs: number;
  /** qemu's `downtime`: how long the vCPUs were stopped for the final pass on the source. */
  downtimeMs: number;
  /** Wall time including the disk copy and ending the mirrors. */
  elapsedMs: number;
  transferredBytes: number;
  passes: number;
  /** Whether a poll saw it in post-copy (a switch and completion between two polls is not seen). */
  postcopy: boolean;
}

/**
 * Migrates the guest of `qmp` to the target listening at `uri`. When it resolves the source guest is paused
 * (`postmigrate`) with its disks released, and the target holds the whole state, still paused: the caller
 * then runs `finishIncoming` on the target and, once that reports running, quits the source.
 *
 * @throws MigrationError `cancelled` (signal) or `failed` (qemu's `error-desc`). The source then runs as
 *   before (it is resumed if the migration left it paused) and the mirror jobs and NBD nodes are gone; the
 *   caller quits the target qemu. Exception: a failure after post-copy began cannot be undone (the error says
 *   so and the source is not resumed).
 */
export async function runLiveMigration(
  qmp: QmpClient,
  input: LiveMigrationInput,
): Promise<LiveMigrationResult> {
  try {
    return await migrateLive(qmp, input);
  } finally {
    if (input.tls) await dropStreamTls(qmp);
  }
}

async function migrateLive(qmp: QmpClient, input: LiveMigrationInput): Promise<LiveMigrationResult> {
  const started = Date.now();
  const { options, signal } = input;
  const intervalMs = input.pollIntervalMs ?? 500;
  const report: ProgressListener = safeListener(input.onProgress);
  const aborted = (): boolean => signal?.aborted === true;
  if (aborted()) throw cancelledError('migration');
  const wasRunning = (await qmp.execute('query-status')).status === 'running';
  let mirrors: DiskMirrors | undefined;
  const postcopy = { requested: false, active: false };
  let migrating = false;
  try {
    if (input.tls) await addStreamCreds(qmp, input.tls, 'client');
    const encrypted = input.tls !== undefined;
    await applyMigrationSettings(
      qmp,
      sourceCapabilities(options),
      sourceParameters(options, input.tuning, encrypted),
    );
    if (input.mirror) {
      mirrors = await DiskMirrors.start(qmp, input.mirror, encrypted);
      await mirrors.waitReady({
        signal,
        intervalMs,
        onProgress: (disk) => report(diskPhaseProgress(disk), 'mirroring'),
      });
    }
    if (aborted()) throw cancelledError('migration');
    migrating = true;
    await qmp.execute('migrate', { uri: input.uri });
    const end = await pollMigration(qmp, {
      signal,
      intervalMs,
      cancellable: () => !postcopy.requested,
      onInfo: async (info) => {
        if (options.postcopy && !postcopy.requested && shouldSwitchToPostcopy(info)) {
          postcopy.requested = true;
          await qmp.execute('migrate-start-postcopy');
        }
        if (info.status === 'postcopy-active' && !postcopy.active) {
          postcopy.active = true;
          // The source's vCPUs are stopped for good now: the mirrors can end, the target may start.
          await mirrors?.finish();
          mirrors = undefined;
        }
        const disk = mirrors ? (await mirrors.poll()).disk : undefined;
        report(migrationProgress(info, disk), postcopy.active ? 'postcopy' : 'migrating');
      },
    });
    migrating = false;
    const { info } = end;
    if (info.status === 'postcopy-paused') {
      postcopy.active = true; // even if no poll saw `postcopy-active`: the source must not run again
      throw failedError('migration', `${info['error-desc'] ?? 'the connection broke'} during post-copy`);
    }
    if (info.status !== 'completed') {
      if (end.cancelRequested && info.status === 'cancelled') throw cancelledError('migration');
      throw failedError('migration', info['error-desc'] ?? `qemu reports ${info.status ?? 'no status'}`);
    }
    // NOTE: the stream may complete in the moment between our migrate_cancel and qemu acting on it; a cancel
    // still wins then: the target never ran, so the source simply continues.
    if (end.cancelRequested && !postcopy.requested) throw cancelledError('migration');
    report(migrationProgress(info, mirrors?.progress), 'switching');
    await mirrors?.finish();
    mirrors = undefined;
    return result(info, started, postcopy.active);
  } catch (err) {
    if (postcopy.active) throw splitError(err);
    // A failure of ours (a mirror job ending, QMP trouble) while qemu still streams: stop the stream first.
    if (migrating) await cancelAndSettle(qmp);
    await mirrors?.abort();
    await resumeSource(qmp, wasRunning);
    if (err instanceof MigrationError) throw err;
    throw failedError('migration', describeCause(err), err);
  }
}

/** After the first full pass (qemu counts the initial dirty sync as pass 1). */
function shouldSwitchToPostcopy(info: QmpMigrationInfo): boolean {
  return info.status === 'active' && (info.ram?.['dirty-sync-count'] ?? 0) >= 2;
}

function splitError(err: unknown): MigrationError {
  const reason = err instanceof MigrationError ? (err.qemuReason ?? err.message) : describeCause(err);
  return new MigrationError(
    `migration failed during post-copy (${reason}): the guest's memory is split between both hosts; ` +
      'keep both qemu processes until it is recovered',
    { outcome: 'failed', qemuReason: reason, cause: err, split: true },
  );
}

function result(info: QmpMigrationInfo, started: number, postcopy: boolean): LiveMigrationResult {
  return {
    totalTimeMs: info['total-time'] ?? 0,
    downtimeMs: info.downtime ?? 0,
    elapsedMs: Date.now() - started,
    transferredBytes: info.ram?.transferred ?? 0,
    passes: info.ram?.['dirty-sync-count'] ?? 0,
    postcopy,
  };
}
