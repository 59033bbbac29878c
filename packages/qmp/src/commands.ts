// Typed map of the QMP commands virtweb uses; shapes follow qemu 7.2's qapi schema (query-qmp-schema).
// An entry without `args` takes no arguments; `return` is what qemu puts in the reply's `return` member.
// Replies are not validated at runtime: the map is a contract with qemu, not a parser.
import type { QmpJobStatus } from './events.ts';
import type { QmpVersionInfo } from './message.ts';

/** `{}` as returned by commands that only acknowledge. */
export type QmpEmpty = Record<string, never>;

export type QmpRunState =
  | 'debug'
  | 'inmigrate'
  | 'internal-error'
  | 'io-error'
  | 'paused'
  | 'postmigrate'
  | 'prelaunch'
  | 'finish-migrate'
  | 'restore-vm'
  | 'running'
  | 'save-vm'
  | 'shutdown'
  | 'suspended'
  | 'watchdog'
  | 'guest-panicked'
  | 'colo';

/** `singlestep` is optional because qemu >= 8.1 deprecates and later drops it. */
export type QmpStatusInfo = { running: boolean; singlestep?: boolean; status: QmpRunState };

export type QmpCpuInfoFast = {
  'cpu-index': number;
  'qom-path': string;
  'thread-id': number;
  target: string;
  props?: Partial<
    Record<'node-id' | 'socket-id' | 'die-id' | 'cluster-id' | 'core-id' | 'thread-id', number>
  >;
};

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

/** A background job (`query-jobs`); `error` is set once a failed job has concluded. */
export type QmpJobInfo = {
  id: string;
  type: string;
  status: QmpJobStatus;
  'current-progress': number;
  'total-progress': number;
  error?: string;
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

export type QmpMigrationStatus =
  | 'none'
  | 'setup'
  | 'cancelling'
  | 'cancelled'
  | 'active'
  | 'postcopy-active'
  | 'postcopy-paused'
  | 'postcopy-recover'
  | 'completed'
  | 'failed'
  | 'colo'
  | 'pre-switchover'
  | 'device'
  | 'wait-unplug';

export type QmpMigrationStats = {
  transferred: number;
  remaining: number;
  total: number;
  duplicate: number;
  normal: number;
  'normal-bytes': number;
  'dirty-pages-rate': number;
  mbps: number;
  'dirty-sync-count': number;
  'page-size': number;
  'pages-per-second': number;
  [key: string]: unknown;
};

export type QmpMigrationInfo = {
  status?: QmpMigrationStatus;
  ram?: QmpMigrationStats;
  disk?: QmpMigrationStats;
  'total-time'?: number;
  'expected-downtime'?: number;
  downtime?: number;
  'setup-time'?: number;
  'cpu-throttle-percentage'?: number;
  'error-desc'?: string;
  'blocked-reasons'?: string[];
  /** Incoming side: where `migrate-incoming` listens (the actual port when it was given as 0). */
  'socket-address'?: QmpSocketAddress[];
  [key: string]: unknown;
};

export type QmpMigrationCapability =
  | 'xbzrle'
  | 'rdma-pin-all'
  | 'auto-converge'
  | 'zero-blocks'
  | 'compress'
  | 'events'
  | 'postcopy-ram'
  | 'x-colo'
  | 'release-ram'
  | 'block'
  | 'return-path'
  | 'pause-before-switchover'
  | 'multifd'
  | 'dirty-bitmaps'
  | 'postcopy-blocktime'
  | 'late-block-activate'
  | 'x-ignore-shared'
  | 'validate-uuid'
  | 'background-snapshot'
  | 'zero-copy-send'
  | 'postcopy-preempt';

export type QmpMigrateParameters = {
  'max-bandwidth'?: number;
  'downtime-limit'?: number;
  'xbzrle-cache-size'?: number;
  'max-postcopy-bandwidth'?: number;
  'max-cpu-throttle'?: number;
  'multifd-channels'?: number;
  'multifd-compression'?: 'none' | 'zlib' | 'zstd';
  'tls-creds'?: string | null;
  'tls-hostname'?: string | null;
  'tls-authz'?: string | null;
  [key: string]: unknown;
};

/** Where a listening socket is or a client connects (the flat SocketAddress union, qapi/sockets.json). */
export type QmpSocketAddress =
  | {
      type: 'inet';
      host: string;
      /** A number or a service name, as a string; `'0'` lets the kernel pick a free port. */
      port: string;
      numeric?: boolean;
      to?: number;
      ipv4?: boolean;
      ipv6?: boolean;
      'keep-alive'?: boolean;
      mptcp?: boolean;
    }
  | { type: 'unix'; path: string; abstract?: boolean; tight?: boolean }
  | { type: 'vsock'; cid: string; port: string }
  | { type: 'fd'; str: string };

/** The same addresses in the older `{type, data}` form, which `nbd-server-start` still takes in qemu 7.2. */
export type QmpSocketAddressLegacy = {
  [T in QmpSocketAddress['type']]: { type: T; data: Omit<Extract<QmpSocketAddress, { type: T }>, 'type'> };
}[QmpSocketAddress['type']];

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

/** A block export (`query-block-exports`). */
export type QmpBlockExportInfo = {
  id: string;
  type: 'nbd' | 'vhost-user-blk' | 'fuse' | 'vduse-blk';
  'node-name': string;
  'shutting-down': boolean;
};

/** qemu's QKeyCode: a key by its position on a US keyboard (qapi/ui.json, qemu 7.2). */
export type QmpQKeyCode =
  | 'unmapped'
  | 'shift'
  | 'shift_r'
  | 'alt'
  | 'alt_r'
  | 'ctrl'
  | 'ctrl_r'
  | 'menu'
  | 'esc'
  | '1'
  | '2'
  | '3'
  | '4'
  | '5'
  | '6'
  | '7'
  | '8'
  | '9'
  | '0'
  | 'minus'
  | 'equal'
  | 'backspace'
  | 'tab'
  | 'q'
  | 'w'
  | 'e'
  | 'r'
  | 't'
  | 'y'
  | 'u'
  | 'i'
  | 'o'
  | 'p'
  | 'bracket_left'
  | 'bracket_right'
  | 'ret'
  | 'a'
  | 's'
  | 'd'
  | 'f'
  | 'g'
  | 'h'
  | 'j'
  | 'k'
  | 'l'
  | 'semicolon'
  | 'apostrophe'
  | 'grave_accent'
  | 'backslash'
  | 'z'
  | 'x'
  | 'c'
  | 'v'
  | 'b'
  | 'n'
  | 'm'
  | 'comma'
  | 'dot'
  | 'slash'
  | 'asterisk'
  | 'spc'
  | 'caps_lock'
  | 'f1'
  | 'f2'
  | 'f3'
  | 'f4'
  | 'f5'
  | 'f6'
  | 'f7'
  | 'f8'
  | 'f9'
  | 'f10'
  | 'num_lock'
  | 'scroll_lock'
  | 'kp_divide'
  | 'kp_multiply'
  | 'kp_subtract'
  | 'kp_add'
  | 'kp_enter'
  | 'kp_decimal'
  | 'sysrq'
  | 'kp_0'
  | 'kp_1'
  | 'kp_2'
  | 'kp_3'
  | 'kp_4'
  | 'kp_5'
  | 'kp_6'
  | 'kp_7'
  | 'kp_8'
  | 'kp_9'
  | 'less'
  | 'f11'
  | 'f12'
  | 'print'
  | 'home'
  | 'pgup'
  | 'pgdn'
  | 'end'
  | 'left'
  | 'up'
  | 'down'
  | 'right'
  | 'insert'
  | 'delete'
  | 'stop'
  | 'again'
  | 'props'
  | 'undo'
  | 'front'
  | 'copy'
  | 'open'
  | 'paste'
  | 'find'
  | 'cut'
  | 'lf'
  | 'help'
  | 'meta_l'
  | 'meta_r'
  | 'compose'
  | 'pause'
  | 'ro'
  | 'hiragana'
  | 'henkan'
  | 'yen'
  | 'muhenkan'
  | 'katakanahiragana'
  | 'kp_comma'
  | 'kp_equals'
  | 'power'
  | 'sleep'
  | 'wake'
  | 'audionext'
  | 'audioprev'
  | 'audiostop'
  | 'audioplay'
  | 'audiomute'
  | 'volumeup'
  | 'volumedown'
  | 'mediaselect'
  | 'mail'
  | 'calculator'
  | 'computer'
  | 'ac_home'
  | 'ac_back'
  | 'ac_forward'
  | 'ac_refresh'
  | 'ac_bookmarks'
  | 'lang1'
  | 'lang2';

/** A key for `send-key`: a QKeyCode, or qemu's numeric keycode (XT set-1 scancode, 0x80 added for 0xe0 keys). */
export type QmpKeyValue = { type: 'qcode'; data: QmpQKeyCode } | { type: 'number'; data: number };

/** Either the qdev `id` or the legacy block backend name identifies a removable-media device. */
type QmpDeviceRef = { id?: string; device?: string };

export interface QmpCommands {
  qmp_capabilities: { args: { enable?: 'oob'[] }; return: QmpEmpty };
  'query-status': { return: QmpStatusInfo };
  'query-version': { return: QmpVersionInfo };
  'query-kvm': { return: { enabled: boolean; present: boolean } };
  'query-name': { return: { name?: string } };
  'query-cpus-fast': { return: QmpCpuInfoFast[] };
  cont: { return: QmpEmpty };
  stop: { return: QmpEmpty };
  system_powerdown: { return: QmpEmpty };
  system_reset: { return: QmpEmpty };
  quit: { return: QmpEmpty };
  screendump: {
    args: { filename: string; device?: string; head?: number; format?: 'ppm' | 'png' };
    return: QmpEmpty;
  };
  /**
   * Presses the keys in order, then releases them in reverse order; qemu waits `hold-time` ms after every
   * press and every release (default 10 ms in qemu 7.2, although its docs say 100). The reply comes at once.
   */
  'send-key': { args: { keys: QmpKeyValue[]; 'hold-time'?: number }; return: QmpEmpty };
  'human-monitor-command': { args: { 'command-line': string; 'cpu-index'?: number }; return: string };
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
  'query-jobs': { return: QmpJobInfo[] };
  /** Removes a concluded job; its status and error are gone afterwards. */
  'job-dismiss': { args: { id: string }; return: QmpEmpty };
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
  /** Device properties depend on the driver and are passed through as-is. */
  device_add: {
    args: { driver: string; id?: string; bus?: string; [key: string]: unknown };
    return: QmpEmpty;
  };
  device_del: { args: { id: string }; return: QmpEmpty };
  'query-migrate': { return: QmpMigrationInfo };
  migrate: {
    args: { uri: string; blk?: boolean; inc?: boolean; detach?: boolean; resume?: boolean };
    return: QmpEmpty;
  };
  'migrate-incoming': { args: { uri: string }; return: QmpEmpty };
  migrate_cancel: { return: QmpEmpty };
  'migrate-set-capabilities': {
    args: { capabilities: { capability: QmpMigrationCapability; state: boolean }[] };
    return: QmpEmpty;
  };
  'migrate-set-parameters': { args: QmpMigrateParameters; return: QmpEmpty };
  'migrate-start-postcopy': { return: QmpEmpty };
  'query-migrate-capabilities': {
    return: { capability: QmpMigrationCapability; state: boolean }[];
  };
  'query-migrate-parameters': { return: QmpMigrateParameters };
  /** Starts qemu's one NBD server (exports are added separately); fails when one already runs. */
  'nbd-server-start': {
    args: {
      addr: QmpSocketAddressLegacy;
      'tls-creds'?: string;
      'tls-authz'?: string;
      'max-connections'?: number;
    };
    return: QmpEmpty;
  };
  /** Deprecated since qemu 5.2 in favour of `block-export-add` (type `nbd`); still present in 7.2. */
  'nbd-server-add': {
    args: { device: string; name?: string; description?: string; writable?: boolean; bitmap?: string };
    return: QmpEmpty;
  };
  /** Stops the NBD server and removes every NBD export. */
  'nbd-server-stop': { return: QmpEmpty };
  /** Exports a block node; only the `nbd` variant is spelled out (the server must run: nbd-server-start). */
  'block-export-add': {
    args: {
      type: 'nbd';
      id: string;
      'node-name': string;
      writable?: boolean;
      writethrough?: boolean;
      iothread?: string;
      'fixed-iothread'?: boolean;
      /** The export name clients ask for; default the node name. */
      name?: string;
      description?: string;
      bitmaps?: string[];
      'allocation-depth'?: boolean;
    };
    return: QmpEmpty;
  };
  'block-export-del': { args: { id: string; mode?: 'safe' | 'hard' }; return: QmpEmpty };
  'query-block-exports': { return: QmpBlockExportInfo[] };
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
  'query-commands': { return: { name: string }[] };
  balloon: { args: { value: number }; return: QmpEmpty };
  'query-balloon': { return: { actual: number } };
}

export type QmpCommandName = keyof QmpCommands;

/** Per-call options accepted as the last argument of `execute`. */
export type QmpExecuteOptions = { timeoutMs?: number };

/** Arguments object of a command (`undefined` for commands that take none). */
export type QmpCommandArgs<C extends QmpCommandName> = QmpCommands[C] extends { args: infer A }
  ? A
  : undefined;

export type QmpCommandReturn<C extends QmpCommandName> = QmpCommands[C]['return'];

/**
 * The parameters after the command name: `[opts?]` without arguments, `[args?, opts?]` when every argument is
 * optional, `[args, opts?]` otherwise. Distributes over a union of command names.
 */
export type ArgsParam<C extends QmpCommandName> = C extends unknown
  ? QmpCommands[C] extends { args: infer A }
    ? Partial<A> extends A
      ? [args?: A, opts?: QmpExecuteOptions]
      : [args: A, opts?: QmpExecuteOptions]
    : [opts?: QmpExecuteOptions]
  : never;

type CommandWithoutArgs = {
  [C in QmpCommandName]: QmpCommands[C] extends { args: unknown } ? never : C;
}[QmpCommandName];

// At runtime `execute(cmd, x)` must know whether `x` is args or options; the compiler keeps this list complete.
const COMMANDS_WITHOUT_ARGS = {
  'query-status': true,
  'query-version': true,
  'query-kvm': true,
  'query-name': true,
  'query-cpus-fast': true,
  cont: true,
  stop: true,
  system_powerdown: true,
  system_reset: true,
  quit: true,
  'query-block': true,
  'query-jobs': true,
  'query-migrate': true,
  migrate_cancel: true,
  'query-commands': true,
  'query-balloon': true,
  'migrate-start-postcopy': true,
  'query-migrate-capabilities': true,
  'query-migrate-parameters': true,
  'nbd-server-stop': true,
  'query-block-exports': true,
  'query-block-jobs': true,
} as const satisfies Record<CommandWithoutArgs, true>;

export function takesNoArgs(command: string): boolean {
  return Object.hasOwn(COMMANDS_WITHOUT_ARGS, command);
}
