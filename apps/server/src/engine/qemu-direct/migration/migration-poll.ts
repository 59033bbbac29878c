// The `query-migrate` loop shared by live migration and save: progress, cancel, and the end of the stream.
import type { QmpClient, QmpMigrationInfo, QmpMigrationStatus } from '@virtweb/qmp';
import { delay, Ticker } from './ticker.ts';

export interface PollOptions {
  signal?: AbortSignal | undefined;
  intervalMs: number;
  /** Whether `migrate_cancel` may still be sent when `signal` aborts (not once post-copy has begun). */
  cancellable: () => boolean;
  /** Called with every answer that is not an end; may run QMP commands (e.g. migrate-start-postcopy). */
  onInfo: (info: QmpMigrationInfo) => Promise<void> | void;
}

export interface PollEnd {
  /** The last answer: status `completed`, `failed`, `cancelled` or `postcopy-paused`. */
  info: QmpMigrationInfo;
  /** `migrate_cancel` was sent (the stream may still have completed first). */
  cancelRequested: boolean;
}

const QMP_TIMEOUT_MS = 30_000;

/**
 * `postcopy-paused` ends the loop too: qemu waits there (for `migrate-recover`) instead of failing, with the
 * guest's memory split between both hosts.
 */
export const END_STATUSES: readonly QmpMigrationStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'postcopy-paused',
];

/**
 * Polls `query-migrate` every `intervalMs` until the migration has ended; MIGRATION and MIGRATION_PASS events
 * poll at once (a post-copy switch is due right after the first pass, a completion wants the target started).
 */
export async function pollMigration(qmp: QmpClient, opts: PollOptions): Promise<PollEnd> {
  const ticker = new Ticker(opts.signal);
  qmp.on('MIGRATION', ticker.wake);
  qmp.on('MIGRATION_PASS', ticker.wake);
  let cancelRequested = false;
  try {
    for (;;) {
      if (opts.signal?.aborted === true && !cancelRequested && opts.cancellable()) {
        cancelRequested = true;
        await qmp.execute('migrate_cancel', { timeoutMs: QMP_TIMEOUT_MS });
      }
      const info = await qmp.execute('query-migrate', { timeoutMs: QMP_TIMEOUT_MS });
      if (info.status === 'completed') return { info: await settledCompletion(qmp), cancelRequested };
      if (info.status !== undefined && END_STATUSES.includes(info.status)) return { info, cancelRequested };
      await opts.onInfo(info);
      await ticker.sleep(opts.intervalMs);
    }
  } finally {
    qmp.off('MIGRATION', ticker.wake);
    qmp.off('MIGRATION_PASS', ticker.wake);
    ticker.dispose();
  }
}

/**
 * NOTE: qemu 7.2 reports `completed` a moment before it computes `total-time` and `downtime` and moves the run
 * state from `finish-migrate` to `postmigrate` (both at once, under the lock QMP runs under): wait for the run
 * state, then read the figures again.
 */
async function settledCompletion(qmp: QmpClient): Promise<QmpMigrationInfo> {
  for (let i = 0; i < 250; i++) {
    const { status } = await qmp.execute('query-status', { timeoutMs: QMP_TIMEOUT_MS });
    if (status !== 'finish-migrate') break;
    await delay(20);
  }
  return qmp.execute('query-migrate', { timeoutMs: QMP_TIMEOUT_MS });
}

const isEnd = (info: QmpMigrationInfo): boolean =>
  info.status === undefined || info.status === 'none' || END_STATUSES.includes(info.status);

/**
 * Cancels a migration that may still be running (our own code failed mid-way: the stream must not go on
 * without us) and waits, bounded, until qemu reports its end. Never throws. Not for post-copy.
 */
export async function cancelAndSettle(qmp: QmpClient, timeoutMs = 30_000): Promise<void> {
  try {
    const deadline = Date.now() + timeoutMs;
    let info = await qmp.execute('query-migrate', { timeoutMs: QMP_TIMEOUT_MS });
    if (isEnd(info)) return;
    await qmp.execute('migrate_cancel', { timeoutMs: QMP_TIMEOUT_MS });
    while (!isEnd(info) && Date.now() < deadline) {
      await delay(100);
      info = await qmp.execute('query-migrate', { timeoutMs: QMP_TIMEOUT_MS });
    }
  } catch {
    // qemu gone or not answering: nothing left to cancel here.
  }
}

/** Calls the caller's progress listener; an exception there must not break off a migration half-way. */
export function safeListener<A extends unknown[]>(
  fn: ((...args: A) => void) | undefined,
): (...args: A) => void {
  return (...args) => {
    try {
      fn?.(...args);
    } catch {
      // ignored: progress is informational
    }
  };
}

const TRANSIENT_RUN_STATES = new Set(['finish-migrate', 'save-vm', 'restore-vm']);

/**
 * Puts a source whose migration did not complete back to running when it ran before.
 * NOTE: qemu 7.2 restarts the vCPUs itself after a failed or cancelled pre-copy (if they ran when `migrate`
 * began), but reports `failed` a moment before that restart; and a stream that completed before our cancel
 * leaves the guest in `postmigrate` with its disks inactive: `cont` takes them back. Never throws.
 * @returns the run state afterwards (undefined when qemu did not answer).
 */
export async function resumeSource(qmp: QmpClient, wasRunning: boolean): Promise<string | undefined> {
  try {
    let status = (await qmp.execute('query-status', { timeoutMs: QMP_TIMEOUT_MS })).status;
    for (let i = 0; i < 20 && TRANSIENT_RUN_STATES.has(status); i++) {
      await delay(100);
      status = (await qmp.execute('query-status', { timeoutMs: QMP_TIMEOUT_MS })).status;
    }
    if (!wasRunning || status === 'running') return status;
    await qmp.execute('cont', { timeoutMs: QMP_TIMEOUT_MS });
    return (await qmp.execute('query-status', { timeoutMs: QMP_TIMEOUT_MS })).status;
  } catch {
    return undefined;
  }
}
