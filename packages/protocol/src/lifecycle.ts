// One guest, one state machine: the states a VM takes, the events that move it between them, and which
// operations a user may ask for in which state. The server's transitions and 409s and the web app's buttons
// all read these tables; nothing else decides them.
import type { VmAction, VmState } from './vms.ts';

/**
 * What moves a VM from one state to another. User actions (`start`, `pause`, …) share their name with the
 * event they cause; qemu's own events (`STOP`, `RESUME`, `SHUTDOWN`, the process's exit) cause `pause`,
 * `resume`, `shutdown` and `exited` too.
 */
export type VmEvent =
  | VmAction
  /** `cont` was sent after the consoles were attached: the guest runs. */
  | 'launched'
  /** A start failed before the guest ran: qemu (if any) is gone, the VM is back where it was. */
  | 'start-failed'
  /** The qemu process is gone (any way: guest poweroff, quit, a signal, a crash). */
  | 'exited'
  /** A server start found the VM's qemu alive: running or paused as qemu says, a pending shutdown still pending. */
  | 'adopted'
  /** A migration, save or restore job takes the VM (lifecycle and configuration wait for it). */
  | 'migrate'
  | 'save'
  | 'restore'
  /** A VM arriving from another host (its qemu waits for the stream). */
  | 'receive'
  /** A job ended with the VM here: it is where its qemu (or its absence) says. */
  | 'settled';

export interface VmTransition {
  from: readonly VmState[];
  /** The states it may lead to; `unchanged` keeps the state (a reset). Several: the caller says which. */
  to: readonly VmState[] | 'unchanged';
}

const OFFLINE = ['defined', 'stopped', 'crashed'] as const satisfies readonly VmState[];
const LIVE = ['running', 'paused'] as const satisfies readonly VmState[];

/** States in which a VM has no qemu process: its files are the whole VM. */
export const OFFLINE_STATES: readonly VmState[] = OFFLINE;
/** States in which qemu runs the guest and takes live changes (QMP). */
export const LIVE_STATES: readonly VmState[] = LIVE;
/** States in which a qemu process exists (or should, after a server restart), so its images are open. */
export const PROCESS_STATES: readonly VmState[] = ['starting', 'running', 'paused', 'stopping', 'migrating'];

/** The transition table: every state change of a VM is one of these. */
export const VM_TRANSITIONS: Readonly<Record<VmEvent, VmTransition>> = {
  start: { from: OFFLINE, to: ['starting'] },
  launched: { from: ['starting'], to: ['running'] },
  'start-failed': { from: ['starting'], to: OFFLINE },
  pause: { from: ['running'], to: ['paused'] },
  resume: { from: ['paused'], to: ['running'] },
  // NOTE: a reset of a paused guest leaves qemu in `prelaunch`, still paused: the VM stays paused.
  reset: { from: LIVE, to: 'unchanged' },
  shutdown: { from: LIVE, to: ['stopping'] },
  // Power off also ends a guest whose ACPI shutdown is pending.
  poweroff: { from: [...LIVE, 'stopping'], to: ['stopping'] },
  exited: { from: ['starting', 'running', 'paused', 'stopping', 'migrating'], to: ['stopped', 'crashed'] },
  adopted: { from: ['starting', 'running', 'paused', 'stopping'], to: [...LIVE, 'stopping'] },
  migrate: { from: [...LIVE, ...OFFLINE], to: ['migrating'] },
  save: { from: LIVE, to: ['migrating'] },
  restore: { from: OFFLINE, to: ['migrating'] },
  receive: { from: ['defined'], to: ['migrating'] },
  settled: { from: ['migrating'], to: [...LIVE, ...OFFLINE] },
};

/**
 * What a user (or a peer) may ask of a VM. Lifecycle actions and jobs move it (`event`); the rest change its
 * configuration, disks or memory and leave its state as it is.
 */
export type VmOperation =
  | VmAction
  /** PUT /api/vms/:id (live: only what waits for the next start). */
  | 'settings'
  /** Attach and detach disks (hot-plug while running). */
  | 'disks'
  /** Add, remove and change NICs (hot-plug and the link while running). */
  | 'nics'
  /** Attach and detach host USB devices (hot-plug while running). */
  | 'usb'
  | 'cdrom'
  /** Take or delete a snapshot. */
  | 'snapshot'
  | 'revert'
  | 'balloon'
  | 'clone'
  | 'delete'
  | 'migrate'
  | 'save'
  | 'restore';

export interface VmOperationRule {
  /** The states it is allowed from; any other answers 409 `wrong_state`. */
  allowed: readonly VmState[];
  /** The transition it makes, if any (its `from` is exactly `allowed`). */
  event?: VmEvent;
}

const LIVE_OR_OFFLINE = [...LIVE, ...OFFLINE] as const satisfies readonly VmState[];

/** The operation table: preconditions of everything a user can ask of a VM. */
export const VM_OPERATIONS: Readonly<Record<VmOperation, VmOperationRule>> = {
  start: { allowed: VM_TRANSITIONS.start.from, event: 'start' },
  shutdown: { allowed: VM_TRANSITIONS.shutdown.from, event: 'shutdown' },
  poweroff: { allowed: VM_TRANSITIONS.poweroff.from, event: 'poweroff' },
  reset: { allowed: VM_TRANSITIONS.reset.from, event: 'reset' },
  pause: { allowed: VM_TRANSITIONS.pause.from, event: 'pause' },
  resume: { allowed: VM_TRANSITIONS.resume.from, event: 'resume' },
  settings: { allowed: LIVE_OR_OFFLINE },
  disks: { allowed: LIVE_OR_OFFLINE },
  nics: { allowed: LIVE_OR_OFFLINE },
  usb: { allowed: LIVE_OR_OFFLINE },
  cdrom: { allowed: LIVE_OR_OFFLINE },
  snapshot: { allowed: LIVE_OR_OFFLINE },
  revert: { allowed: LIVE_OR_OFFLINE },
  balloon: { allowed: LIVE },
  clone: { allowed: OFFLINE },
  delete: { allowed: OFFLINE },
  migrate: { allowed: VM_TRANSITIONS.migrate.from, event: 'migrate' },
  save: { allowed: VM_TRANSITIONS.save.from, event: 'save' },
  restore: { allowed: VM_TRANSITIONS.restore.from, event: 'restore' },
};

/** Whether `op` may be asked of a VM that is `state`. */
export function isOperationAllowed(op: VmOperation, state: VmState): boolean {
  return VM_OPERATIONS[op].allowed.includes(state);
}

/** Words for the refusal, e.g. "cannot pause a VM that is stopped (allowed when running)". */
export function operationRefusal(op: VmOperation, state: VmState): string {
  const verb = OPERATION_VERBS[op];
  return `cannot ${verb} a VM that is ${state} (allowed when ${VM_OPERATIONS[op].allowed.join(' or ')})`;
}

const OPERATION_VERBS: Readonly<Record<VmOperation, string>> = {
  start: 'start',
  shutdown: 'shutdown',
  poweroff: 'poweroff',
  reset: 'reset',
  pause: 'pause',
  resume: 'resume',
  settings: 'change the settings of',
  disks: 'attach or detach disks of',
  nics: 'add, remove or change the NICs of',
  usb: 'attach or detach USB devices of',
  cdrom: 'change the CD of',
  snapshot: 'take or delete snapshots of',
  revert: 'revert',
  balloon: 'set the balloon of',
  clone: 'clone',
  delete: 'delete',
  migrate: 'migrate',
  save: 'save',
  restore: 'restore',
};

/**
 * The state `event` leads to from `from` (`to` picks one where the table offers several), or undefined when
 * the table has no such transition.
 */
export function transitionTarget(event: VmEvent, from: VmState, to?: VmState): VmState | undefined {
  const t = VM_TRANSITIONS[event];
  if (!t.from.includes(from)) return undefined;
  if (t.to === 'unchanged') return to === undefined || to === from ? from : undefined;
  if (to !== undefined) return t.to.includes(to) ? to : undefined;
  return t.to.length === 1 ? t.to[0] : undefined;
}
