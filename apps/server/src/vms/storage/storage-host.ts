import { ErrorCode, type VmState } from '@virtweb/protocol';
import { isQmpError, isQmpExecuteError } from '@virtweb/qmp';
import { conflict, HttpError } from '../../http/errors.ts';
import type { VmService } from '../vm-service.ts';
import type { VmRuntime } from '../vm-runtime.ts';

/** What the storage operations need of the VM service. */
export type StorageHost = Pick<
  VmService,
  'get' | 'list' | 'definition' | 'updateDefinition' | 'runtime' | 'qemuAccess'
>;

/** How an operation reaches a VM: through its running qemu (QMP), or through the stored files only. */
export type StorageMode = { live: true; rt: VmRuntime } | { live: false };

const OFFLINE: readonly VmState[] = ['defined', 'stopped', 'crashed'];

/**
 * Live while qemu runs the guest (running or paused), offline while no qemu exists.
 * @throws HttpError 404, 409 `wrong_state` while the VM is starting, stopping or migrating.
 */
export function storageMode(host: StorageHost, id: string): StorageMode {
  const vm = host.get(id);
  const rt = host.runtime(id);
  if ((vm.state === 'running' || vm.state === 'paused') && rt) return { live: true, rt };
  if (OFFLINE.includes(vm.state)) return { live: false };
  throw conflict(
    ErrorCode.wrongState,
    `VM ${vm.name} is ${vm.state}: wait until it is running, paused or stopped`,
  );
}

/** One operation per key at a time (a VM id, or `<id>/cdrom`); a second one gets 409 `busy`. */
export class VmOperationLocks {
  private readonly held = new Map<string, string>();

  /** What holds `key` now (e.g. "a migration"), if anything. */
  holder(key: string): string | undefined {
    return this.held.get(key);
  }

  /** @throws HttpError 409 `busy` while another operation holds `key`. */
  async with<T>(key: string, what: string, fn: () => Promise<T>): Promise<T> {
    const holder = this.held.get(key);
    if (holder !== undefined) throw conflict('busy', `the VM is busy: ${holder} in progress`);
    this.held.set(key, what);
    try {
      return await fn();
    } finally {
      this.held.delete(key);
    }
  }
}

/** A QMP refusal as a 409 carrying qemu's own words; anything else is rethrown. */
export function qemuRefused(err: unknown, what: string): unknown {
  if (err instanceof HttpError) return err;
  if (isQmpExecuteError(err))
    return new HttpError(409, ErrorCode.qemuFailed, `${what}: qemu says: ${err.desc}`);
  // The connection went away (qemu exited) or timed out: still qemu's business, not a server bug.
  if (isQmpError(err)) return new HttpError(409, ErrorCode.qemuFailed, `${what}: ${err.message}`);
  return err;
}
