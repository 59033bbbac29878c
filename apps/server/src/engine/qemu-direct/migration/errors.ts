// How the migration engine fails: one error type, whose `outcome` tells a cancel from a failure.

/** `cancelled`: the caller's signal aborted it; `failed`: qemu (or the stream around it) gave up. */
export type MigrationOutcome = 'failed' | 'cancelled';

/** A migration, save or restore that did not complete; the source guest has been put back as it was. */
export class MigrationError extends Error {
  override name = 'MigrationError';
  readonly outcome: MigrationOutcome;
  /** qemu's own words: `error-desc` of `query-migrate`, a block job's `error`, a failed command's `desc`. */
  readonly qemuReason: string | undefined;
  /** Failed after post-copy began: the guest's memory is split between both hosts (neither may be dropped). */
  readonly split: boolean;

  constructor(
    message: string,
    options: {
      outcome: MigrationOutcome;
      qemuReason?: string | undefined;
      cause?: unknown;
      split?: boolean;
    },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.outcome = options.outcome;
    this.qemuReason = options.qemuReason;
    this.split = options.split === true;
  }
}

export const isMigrationError = (e: unknown): e is MigrationError => e instanceof MigrationError;

/** The error for an aborted `signal`. */
export function cancelledError(what: string): MigrationError {
  return new MigrationError(`${what} cancelled`, { outcome: 'cancelled' });
}

/** A failure in qemu's words when it gave any (`migration failed: Unable to write to socket: ...`). */
export function failedError(what: string, qemuReason?: string, cause?: unknown): MigrationError {
  const message = qemuReason === undefined ? `${what} failed` : `${what} failed: ${qemuReason}`;
  return new MigrationError(message, { outcome: 'failed', qemuReason, cause });
}

/** The words to show for something a QMP call threw: qemu's `desc` when qemu answered, else the message. */
export function describeCause(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'desc' in err && typeof err.desc === 'string')
    return err.desc;
  return err instanceof Error ? err.message : String(err);
}
