// Typed map of the QMP events virtweb reacts to; `data` shapes follow qemu 7.2's qapi schema.
// Data shapes are type aliases (not interfaces) so that they stay assignable to Record<string, unknown>.
import type { QmpTimestamp } from './message.ts';
import type { QmpJobStatus } from './block-jobs.ts';
import type { QmpMigrationStatus } from './migration.ts';

export type QmpShutdownCause =
  | 'none'
  | 'host-error'
  | 'host-qmp-quit'
  | 'host-qmp-system-reset'
  | 'host-signal'
  | 'host-ui'
  | 'guest-shutdown'
  | 'guest-reset'
  | 'guest-panic'
  | 'subsystem-reset'
  | 'snapshot-load';

export type QmpBlockJobInfo = { type: string; device: string; len: number; offset: number; speed: number };

type NoData = Record<string, never>;

export interface QmpEvents {
  SHUTDOWN: { guest: boolean; reason: QmpShutdownCause };
  POWERDOWN: NoData;
  RESET: { guest: boolean; reason: QmpShutdownCause };
  STOP: NoData;
  RESUME: NoData;
  SUSPEND: NoData;
  WAKEUP: NoData;
  DEVICE_DELETED: { device?: string; path: string };
  BLOCK_JOB_COMPLETED: QmpBlockJobInfo & { error?: string };
  BLOCK_JOB_READY: QmpBlockJobInfo;
  /** A job aborted by `block-job-cancel` (a READY mirror cancelled without `force` sends COMPLETED instead). */
  BLOCK_JOB_CANCELLED: QmpBlockJobInfo;
  /** An I/O error in a job; with `on-*-error: report` the job then ends with BLOCK_JOB_COMPLETED + `error`. */
  BLOCK_JOB_ERROR: { device: string; operation: 'read' | 'write'; action: 'ignore' | 'report' | 'stop' };
  BLOCK_EXPORT_DELETED: { id: string };
  JOB_STATUS_CHANGE: { id: string; status: QmpJobStatus };
  MIGRATION: { status: QmpMigrationStatus };
  MIGRATION_PASS: { pass: number };
  BALLOON_CHANGE: { actual: number };
  DEVICE_TRAY_MOVED: { device: string; id: string; 'tray-open': boolean };
  GUEST_PANICKED: { action: 'pause' | 'poweroff' | 'run'; info?: { type: string; [key: string]: unknown } };
}

export type QmpEventName = keyof QmpEvents;

/** `data` of event `E`: typed for known events, a plain record for the rest. */
export type QmpEventData<E extends string> = E extends QmpEventName ? QmpEvents[E] : Record<string, unknown>;

/** An event as delivered to listeners. `data` is `{}` when qemu sent none. */
export interface QmpEventMessage<E extends string = string> {
  event: E;
  data: QmpEventData<E>;
  timestamp: QmpTimestamp;
}

/**
 * Narrows an event received by an `'event'` listener to a known event type. Data is not validated: the name
 * is trusted to imply the shape, as with typed listeners.
 */
export function isQmpEvent<E extends QmpEventName>(e: QmpEventMessage, name: E): e is QmpEventMessage<E> {
  return e.event === name;
}
