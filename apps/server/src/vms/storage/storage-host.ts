import { ErrorCode, LIVE_STATES, type Vm } from '@virtweb/protocol';
import { Conflict } from '../../domain/errors.ts';
import type { AgentMonitor } from '../../agent/agent-monitor.ts';
import type { VmRecord, VmsRepo } from '../../store/vms-repo.ts';
import type { VmDefinition } from '../definition.ts';
import type { VmRuntime } from '../vm-runtime.ts';
import type { VmStates } from '../vm-states.ts';

/** What the storage operations need of the VM service (which implements it and holds them). */
export interface StorageHost {
  readonly repo: VmsRepo;
  readonly states: VmStates;
  /** The running guests' agents: a live snapshot freezes the guest's file systems through it. */
  readonly agents: AgentMonitor;
  get(id: string): Vm;
  list(): Vm[];
  definition(id: string): VmDefinition;
  updateDefinition(id: string, edit: (def: VmDefinition) => VmDefinition): void;
  runtime(id: string): VmRuntime | undefined;
}

/** How an operation reaches a VM: through its running qemu (QMP), or through the stored files only. */
export type StorageMode = { live: true; rt: VmRuntime } | { live: false };

/**
 * Live while qemu runs the guest (running or paused), offline while no qemu exists. The operation's lock has
 * checked the state against the operation table already (never starting, stopping or migrating).
 * @throws Conflict `wrong_state` for a running VM without a qemu process.
 */
export function storageMode(host: StorageHost, rec: VmRecord): StorageMode {
  if (!LIVE_STATES.includes(rec.state)) return { live: false };
  const rt = host.runtime(rec.id);
  if (rt) return { live: true, rt };
  throw new Conflict(
    ErrorCode.wrongState,
    `VM ${rec.definition.name} is ${rec.state} but has no qemu process`,
  );
}
