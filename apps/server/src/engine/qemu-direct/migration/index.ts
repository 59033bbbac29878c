// The qemu-level migration engine: live migration (optionally with a disk copy over NBD), save to a zstd file
// and restore from it. It knows QMP only: no HTTP, no VmService; the caller starts and quits the qemu processes.
export {
  prepareIncoming,
  startNbdExports,
  finishIncoming,
  closeIncoming,
  waitStreamArrived,
  type PrepareIncomingOptions,
  type IncomingEndpoint,
  type NbdExportsOptions,
} from './incoming.ts';
export {
  runLiveMigration,
  type LiveMigrationInput,
  type LiveMigrationResult,
  type ProgressListener,
} from './live-migration.ts';
export { saveState, type SaveStateInput, type SaveStateResult } from './save-state.ts';
export { restoreState, type RestoreStateInput, type RestoreStateResult } from './restore-state.ts';
export { cancelAndSettle, resumeSource } from './migration-poll.ts';
export { mirrorJobId, nbdClientNode, type MirrorTarget, type NbdDisk } from './mirror.ts';
export type { MigrationTuning, StreamCapabilities } from './capabilities.ts';
export { MigrationError, isMigrationError, cancelledError, type MigrationOutcome } from './errors.ts';
export { tcpUri } from './net-address.ts';
export { MIGRATION_TLS_HOSTNAME, type StreamTls } from './stream-tls.ts';
