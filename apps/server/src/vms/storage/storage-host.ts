import { ErrorCode, LIVE_STATES } from '@virtweb/protocol';
import { conflict } from '../../http/errors.ts';
import type { VmRecord } from '../../store/vms-repo.ts';
import type { VmService } from '../vm-service.ts';
import type { VmRuntime } from '../vm-runtime.ts';

/** What the storage operations need of the VM service. */
export type StorageHost = Pick<
  VmService,
  'get' | 'list' | 'definition' | 'updateDefinition' | 'runtime' | 'qemuAccess' | 'states' | 'repo'
>;

/** How an operation reaches a VM: through its running qemu (QMP), or through the stored files only. */
export type StorageMode = { live: true; rt: VmRuntime } | { live: false };

/**
 * Live while qemu runs the guest (running or paused), offline while no qemu exists. The operation's lock has
 * checked the state against the operation table already (never starting, stopping or migrating).
 * @throws HttpError 409 `wrong_state` for a running VM without a qemu process.
 */
export function storageMode(host: StorageHost, rec: VmRecord): StorageMode {
  if (!LIVE_STATES.includes(rec.state)) return { live: false };
  const rt = host.runtime(rec.id);
  if (rt) return { live: true, rt };
  throw conflict(ErrorCode.wrongState, `VM ${rec.definition.name} is ${rec.state} but has no qemu process`);
}
