import type { Vm } from '@virtweb/protocol';
import type { AgentMonitor } from '../agent/agent-monitor.ts';
import type { Engine } from '../engine/engine.ts';
import type { Engines } from '../engine/engines.ts';
import type { EventBus } from '../events/bus.ts';
import type { ImageService } from '../images/image-service.ts';
import type { VmRecord, VmsRepo } from '../store/vms-repo.ts';
import type { NvramStore } from './nvram.ts';
import type { TpmStateStore } from './tpm-state.ts';
import type { SerialLogs } from './serial-log.ts';
import type { VmStorage } from './storage/vm-storage.ts';
import type { VmRuntime } from './vm-runtime.ts';
import type { VmStates } from './vm-states.ts';
import type { ValidationHost } from './vm-validation.ts';

/** What the VM operations (lifecycle, create, update, clone, delete, balloon) share with the VM service. */
export interface VmContext {
  readonly repo: VmsRepo;
  readonly images: ImageService;
  /** The engines guests run on; each record names its own. */
  readonly engines: Engines;
  readonly nvram: NvramStore;
  /** Each TPM guest's swtpm state (removed with the VM, copied by a clone). */
  readonly tpm: TpmStateStore;
  /** Each guest's serial output on disk. */
  readonly serialLogs: SerialLogs;
  readonly bus: EventBus;
  readonly checks: ValidationHost;
  /** Each VM's state machine and lock: every operation runs through `states.run`. */
  readonly states: VmStates;
  readonly storage: VmStorage;
  /** The running guests' agents (shutdown through the agent, file system freeze). */
  readonly agents: AgentMonitor;
  runtime(id: string): VmRuntime | undefined;
  /** The engine guest `id` runs on. @throws NotFound, Conflict (the engine is gone) */
  engineOf(id: string): Engine;
  /** @throws NotFound */
  record(id: string): VmRecord;
  /** Sends `vm.updated` with the VM as it is now. */
  publish(rec: VmRecord): void;
  toVm(rec: VmRecord): Vm;
}
