// The machine as a whole: run state, vCPUs, power, devices, keys, the human monitor, the balloon.
// Shapes follow qemu 7.2's qapi schema (query-qmp-schema); the map of all commands is commands.ts.
import type { QmpKeyValue } from './key-codes.ts';
import type { QmpEmpty, QmpVersionInfo } from './message.ts';

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

/** Commands on the machine as a whole. */
export interface QmpMachineCommands {
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
  /** Device properties depend on the driver and are passed through as-is. */
  device_add: {
    args: { driver: string; id?: string; bus?: string; [key: string]: unknown };
    return: QmpEmpty;
  };
  device_del: { args: { id: string }; return: QmpEmpty };
  'query-commands': { return: { name: string }[] };
  balloon: { args: { value: number }; return: QmpEmpty };
  'query-balloon': { return: { actual: number } };
  /** A property of a QOM object (e.g. a balloon's `guest-stats`); its shape depends on the property. */
  'qom-get': { args: { path: string; property: string }; return: unknown };
  'qom-set': { args: { path: string; property: string; value: unknown }; return: QmpEmpty };
}
