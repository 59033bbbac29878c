import type {
  IncomingEndpoint,
  LiveMigrationInput,
  LiveMigrationResult,
  MirrorTarget,
  PrepareIncomingOptions,
  RestoreStateInput,
  RestoreStateResult,
  SaveStateInput,
  SaveStateResult,
} from './qemu-direct/migration/index.ts';
import type { RunningGuest } from './running-guest.ts';

// The vocabulary of a migration (its inputs, progress, errors) is qemu's, whichever engine drives the qemu: the
// seam re-exports it so that services never reach into an engine's own modules.
export {
  MigrationError,
  isMigrationError,
  cancelledError,
  tcpUri,
  MIGRATION_TLS_HOSTNAME,
  type IncomingEndpoint,
  type LiveMigrationInput,
  type LiveMigrationResult,
  type MigrationOutcome,
  type MigrationTuning,
  type MirrorTarget,
  type NbdDisk,
  type ProgressListener,
  type SaveStateResult,
  type StreamCapabilities,
  type StreamTls,
} from './qemu-direct/migration/index.ts';

type Waiting = { signal?: AbortSignal; timeoutMs?: number; intervalMs?: number };

/**
 * Moving a running guest's state: live to another host (optionally copying its disks), to a file and back.
 * The source and target guests are the engine's; the caller starts the target (`start` with `incoming`) and
 * ends whichever side is left over.
 */
export interface GuestMigrationOps {
  /** Runs a live migration to an incoming guest elsewhere, to its end (or cancel through `input.signal`). */
  migrate(guest: RunningGuest, input: LiveMigrationInput): Promise<LiveMigrationResult>;
  /** Makes a guest started with `incoming` listen for a stream. */
  prepareIncoming(guest: RunningGuest, opts: PrepareIncomingOptions): Promise<IncomingEndpoint>;
  /** Exposes the incoming guest's disks (by slot) for the source to copy into. */
  exportDisks(
    guest: RunningGuest,
    opts: { listenHost: string; slots: readonly number[]; encrypted?: boolean },
  ): Promise<MirrorTarget>;
  /** Waits until the whole stream has arrived, then closes the disk exports; the guest stays paused. */
  arrivePaused(guest: RunningGuest, opts: Waiting): Promise<void>;
  /** Waits for the stream's end and lets the incoming guest run. */
  finishIncoming(guest: RunningGuest, opts?: Waiting): Promise<void>;
  /** Ends a migration the guest may still have under way (after a server restart), settled either way. */
  cancel(guest: RunningGuest, timeoutMs?: number): Promise<void>;
  /** Lets a source that stayed behind run again if it ran before; returns its run state. */
  resumeSource(guest: RunningGuest, wasRunning: boolean): Promise<string | undefined>;
  /** Writes the guest's RAM and device state to a file (the guest ends paused). */
  save(guest: RunningGuest, input: SaveStateInput): Promise<SaveStateResult>;
  /** Loads a saved state into a guest started with `incoming`. */
  restore(guest: RunningGuest, input: RestoreStateInput): Promise<RestoreStateResult>;
}
