// Block devices and nodes: what they are and hold, their statistics, removable media, internal snapshots.
// Shapes follow qemu 7.2's qapi schema (query-qmp-schema); the map of all commands is commands.ts.
import type { QmpEmpty } from './message.ts';

/** An internal snapshot of an image (`snapshots` of an image's info; qcow2 only). */
export type QmpSnapshotInfo = {
  id: string;
  name: string;
  /** Bytes of saved RAM and device state; 0 for a disk-only snapshot. */
  'vm-state-size': number;
  'date-sec': number;
  'date-nsec': number;
  'vm-clock-sec': number;
  'vm-clock-nsec': number;
  icount?: number;
};

export type QmpBlockImageInfo = {
  filename: string;
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
  'cluster-size'?: number;
  'dirty-flag'?: boolean;
  encrypted?: boolean;
  compressed?: boolean;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
  'backing-image'?: QmpBlockImageInfo;
  snapshots?: QmpSnapshotInfo[];
  'format-specific'?: { type: string; data: Record<string, unknown> };
};

export type QmpBlockDeviceInfo = {
  file: string;
  'node-name'?: string;
  ro: boolean;
  drv: string;
  backing_file?: string;
  backing_file_depth: number;
  encrypted: boolean;
  detect_zeroes: 'off' | 'on' | 'unmap';
  image: QmpBlockImageInfo;
  cache: { writeback: boolean; direct: boolean; 'no-flush': boolean };
  write_threshold: number;
  /** bps/iops throttling limits and the rest of BlockDeviceInfo. */
  [key: string]: unknown;
};

export type QmpBlockInfo = {
  device: string;
  qdev?: string;
  type: string;
  removable: boolean;
  locked: boolean;
  inserted?: QmpBlockDeviceInfo;
  tray_open?: boolean;
  'io-status'?: 'ok' | 'failed' | 'nospace';
};

export type QmpBlockDeviceStats = {
  rd_bytes: number;
  wr_bytes: number;
  rd_operations: number;
  wr_operations: number;
  flush_operations: number;
  rd_total_time_ns: number;
  wr_total_time_ns: number;
  flush_total_time_ns: number;
  wr_highest_offset: number;
  idle_time_ns?: number;
  /** unmap/merged/failed/invalid counters, timed_stats, latency histograms. */
  [key: string]: unknown;
};

export type QmpBlockStats = {
  device?: string;
  qdev?: string;
  'node-name'?: string;
  stats: QmpBlockDeviceStats;
  'driver-specific'?: { driver: string; [key: string]: unknown };
  parent?: QmpBlockStats;
  backing?: QmpBlockStats;
};

/** Either the qdev `id` or the legacy block backend name identifies a removable-media device. */
type QmpDeviceRef = { id?: string; device?: string };

/** Commands on block devices and nodes. */
export interface QmpBlockCommands {
  'query-block': { return: QmpBlockInfo[] };
  'query-blockstats': { args: { 'query-nodes'?: boolean }; return: QmpBlockStats[] };
  block_resize: { args: { device?: string; 'node-name'?: string; size: number }; return: QmpEmpty };
  'blockdev-change-medium': {
    args: QmpDeviceRef & {
      filename: string;
      format?: string;
      force?: boolean;
      'read-only-mode'?: 'retain' | 'read-only' | 'read-write';
    };
    return: QmpEmpty;
  };
  'blockdev-open-tray': { args: QmpDeviceRef & { force?: boolean }; return: QmpEmpty };
  'blockdev-close-tray': { args: QmpDeviceRef; return: QmpEmpty };
  'blockdev-remove-medium': { args: { id: string }; return: QmpEmpty };
  eject: { args: QmpDeviceRef & { force?: boolean }; return: QmpEmpty };
  /** BlockdevOptions is a large union per driver; only the common members are spelled out. */
  'blockdev-add': {
    args: { driver: string; 'node-name'?: string; 'read-only'?: boolean; [key: string]: unknown };
    return: QmpEmpty;
  };
  'blockdev-del': { args: { 'node-name': string }; return: QmpEmpty };
  /** Every named block node (`flat`: without the backing-image trees). */
  'query-named-block-nodes': { args: { flat?: boolean }; return: QmpBlockDeviceInfo[] };
  /** Internal snapshot of `devices` (format node names) with the VM state written to node `vmstate`. */
  'snapshot-save': {
    args: { 'job-id': string; tag: string; vmstate: string; devices: string[] };
    return: QmpEmpty;
  };
  /** Reverts `devices` and the VM state to snapshot `tag`; on failure qemu leaves the VM stopped. */
  'snapshot-load': {
    args: { 'job-id': string; tag: string; vmstate: string; devices: string[] };
    return: QmpEmpty;
  };
  'snapshot-delete': { args: { 'job-id': string; tag: string; devices: string[] }; return: QmpEmpty };
}
