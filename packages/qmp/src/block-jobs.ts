// Background jobs: the job list, and block jobs (mirrors) with their completion and cancellation.
// Shapes follow qemu 7.2's qapi schema (query-qmp-schema); the map of all commands is commands.ts.
import type { QmpEmpty } from './message.ts';

export type QmpJobStatus =
  | 'undefined'
  | 'created'
  | 'running'
  | 'paused'
  | 'ready'
  | 'standby'
  | 'waiting'
  | 'pending'
  | 'aborting'
  | 'concluded'
  | 'null';

/** A background job (`query-jobs`); `error` is set once a failed job has concluded. */
export type QmpJobInfo = {
  id: string;
  type: string;
  status: QmpJobStatus;
  'current-progress': number;
  'total-progress': number;
  error?: string;
};

/** What a block job does when its source or target fails an I/O request. */
export type QmpBlockdevOnError = 'report' | 'ignore' | 'enospc' | 'stop' | 'auto';

/** `sync` of mirror and backup jobs: `full` copies the whole image, `top` only the top layer. */
export type QmpMirrorSyncMode = 'top' | 'full' | 'none' | 'incremental' | 'bitmap';

/** A running (or concluded, not yet dismissed) block job as `query-block-jobs` lists it. */
export type QmpBlockJob = {
  /** `mirror`, `commit`, `stream`, `backup`, ... */
  type: string;
  /** The job id (`job-id`), which defaults to the device name. */
  device: string;
  /** Progress in bytes: `offset` of `len` (both may grow while the guest writes). */
  len: number;
  offset: number;
  busy: boolean;
  paused: boolean;
  speed: number;
  'io-status': 'ok' | 'failed' | 'nospace';
  /** A mirror has caught up with its source (BLOCK_JOB_READY was sent). */
  ready: boolean;
  status: QmpJobStatus;
  'auto-finalize': boolean;
  'auto-dismiss': boolean;
  error?: string;
};

/** Commands on background jobs and block jobs. */
export interface QmpBlockJobCommands {
  'query-jobs': { return: QmpJobInfo[] };
  /** Removes a concluded job; its status and error are gone afterwards. */
  'job-dismiss': { args: { id: string }; return: QmpEmpty };
  /** Mirrors node `device` into the existing node `target` (e.g. an nbd client node) as job `job-id`. */
  'blockdev-mirror': {
    args: {
      'job-id'?: string;
      device: string;
      target: string;
      replaces?: string;
      sync: QmpMirrorSyncMode;
      /** Bytes per second; 0 = unlimited. */
      speed?: number;
      granularity?: number;
      'buf-size'?: number;
      'on-source-error'?: QmpBlockdevOnError;
      'on-target-error'?: QmpBlockdevOnError;
      'filter-node-name'?: string;
      /** `write-blocking`: guest writes also go to the target synchronously, so the mirror converges. */
      'copy-mode'?: 'background' | 'write-blocking';
      'auto-finalize'?: boolean;
      'auto-dismiss'?: boolean;
    };
    return: QmpEmpty;
  };
  /** The older mirror that opens (or creates) its target from a file name or URI itself. */
  'drive-mirror': {
    args: {
      'job-id'?: string;
      device: string;
      target: string;
      format?: string;
      'node-name'?: string;
      replaces?: string;
      sync: QmpMirrorSyncMode;
      mode?: 'existing' | 'absolute-paths';
      speed?: number;
      granularity?: number;
      'buf-size'?: number;
      'on-source-error'?: QmpBlockdevOnError;
      'on-target-error'?: QmpBlockdevOnError;
      unmap?: boolean;
      'copy-mode'?: 'background' | 'write-blocking';
      'auto-finalize'?: boolean;
      'auto-dismiss'?: boolean;
    };
    return: QmpEmpty;
  };
  /**
   * Cancels a block job. NOTE: on a mirror that is READY, a cancel without `force` completes the job without
   * switching the guest to the target (BLOCK_JOB_COMPLETED, target consistent); `force` aborts it.
   */
  'block-job-cancel': { args: { device: string; force?: boolean }; return: QmpEmpty };
  /** Completes a READY mirror by switching the guest's device to the target node (pivot). */
  'block-job-complete': { args: { device: string }; return: QmpEmpty };
  'query-block-jobs': { return: QmpBlockJob[] };
}
