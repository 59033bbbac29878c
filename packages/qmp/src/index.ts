// The only public surface of @virtweb/qmp.
export { QmpClient, type QmpClientState, type QmpConnectOptions } from './client.ts';
export {
  QmpError,
  QmpConnectionError,
  QmpExecuteError,
  QmpInterruptedError,
  QmpTimeoutError,
  QmpClosedError,
  QmpProtocolError,
  isQmpError,
  isQmpConnectionError,
  isQmpExecuteError,
  isQmpInterruptedError,
  isQmpTimeoutError,
  isQmpClosedError,
  isQmpProtocolError,
} from './errors.ts';
export type {
  ArgsParam,
  QmpCommands,
  QmpCommandName,
  QmpCommandArgs,
  QmpCommandReturn,
  QmpExecuteOptions,
} from './commands.ts';
export type { QmpRunState, QmpStatusInfo, QmpCpuInfoFast } from './machine.ts';
export type { QmpNetdev, QmpRxFilterInfo } from './net.ts';
export type {
  QmpBlockInfo,
  QmpBlockDeviceInfo,
  QmpBlockImageInfo,
  QmpBlockStats,
  QmpBlockDeviceStats,
} from './block.ts';
export type { QmpJobStatus, QmpBlockdevOnError, QmpMirrorSyncMode, QmpBlockJob } from './block-jobs.ts';
export type { QmpBlockExportInfo } from './block-exports.ts';
export type {
  QmpMigrationStatus,
  QmpMigrationStats,
  QmpMigrationInfo,
  QmpMigrationCapability,
  QmpMigrateParameters,
  QmpTlsCredsX509,
} from './migration.ts';
export type { QmpSocketAddress, QmpSocketAddressLegacy } from './socket-address.ts';
export type { QmpQKeyCode, QmpKeyValue } from './key-codes.ts';
export {
  isQmpEvent,
  type QmpEvents,
  type QmpEventName,
  type QmpEventData,
  type QmpEventMessage,
  type QmpShutdownCause,
  type QmpBlockJobInfo,
} from './events.ts';
export type { QmpEmpty, QmpGreeting, QmpVersionInfo, QmpVersionTriple, QmpTimestamp } from './message.ts';
