import {
  ErrorCode,
  isOperationAllowed,
  operationRefusal,
  transitionTarget,
  VM_OPERATIONS,
  type VmEvent,
  type VmExit,
  type VmOperation,
  type VmState,
} from '@virtweb/protocol';
import { Conflict, NotFound } from '../domain/errors.ts';
import type { VmRecord, VmsRepo } from '../store/vms-repo.ts';
import { qemuDeath } from './qemu-death.ts';
import type { VmRuntime } from './vm-runtime.ts';

/** What a transition records besides the state (kept with it in the store). */
export interface TransitionFacts {
  /** The target, where the table offers several (`exited`: stopped or crashed). */
  to?: VmState;
  /** How qemu ended (undefined clears it: a start). */
  lastExit?: VmExit | undefined;
  startedAt?: string;
}

/** The lock every operation on a VM holds while it runs. */
export interface HeldOperation {
  op: VmOperation;
  /** What it does, for the `busy` and `guest_died` answers: "starting the VM", "taking snapshot s1". */
  what: string;
}

/**
 * One state machine per guest. `transition` is the only way a VM's stored state changes (the table in
 * packages/protocol says which changes exist), and `run` is the only way an operation reaches a VM: one at a
 * time per VM, each checked against the operation table first. Checking and taking the lock happen in the
 * same synchronous step, so of two requests racing for a VM exactly one gets it and the other a Conflict.
 *
 * Any qemu death inside an operation ends it with Conflict `guest_died` (the exit handling has already shown the
 * VM `crashed`, or `stopped` after a power-off), never with whatever error the lost connection produced.
 */
export class VmStates {
  private readonly held = new Map<string, HeldOperation>();

  constructor(
    private readonly repo: VmsRepo,
    private readonly publish: (rec: VmRecord) => void,
    private readonly runtime: (id: string) => VmRuntime | undefined,
  ) {}

  /**
   * Moves VM `id` by `event`, storing `facts` with the new state, and publishes it.
   * @throws NotFound, Conflict `wrong_state` when the table has no such transition from the current state.
   */
  transition(id: string, event: VmEvent, facts: TransitionFacts = {}): VmRecord {
    const rec = this.record(id);
    const next = transitionTarget(event, rec.state, facts.to);
    if (next === undefined) {
      const to = facts.to === undefined ? '' : ` to ${facts.to}`;
      throw new Conflict(
        ErrorCode.wrongState,
        `VM ${rec.definition.name} is ${rec.state}: no ${event}${to} from there`,
      );
    }
    return this.write(rec, next, facts);
  }

  /**
   * Follows an event qemu reported (STOP, RESUME, SHUTDOWN, its exit) when the table has it from the current
   * state; otherwise the event says nothing new (a RESUME while starting, a STOP while migrating).
   */
  follow(id: string, event: VmEvent, facts: TransitionFacts = {}): VmRecord | undefined {
    const rec = this.repo.get(id);
    if (!rec) return undefined;
    const next = transitionTarget(event, rec.state, facts.to);
    return next === undefined ? undefined : this.write(rec, next, facts);
  }

  /** Stores how qemu ended without a state change (a job's own words: "saved to x", "migrated to b"). */
  note(id: string, lastExit: VmExit): void {
    const rec = this.repo.get(id);
    if (rec) this.write(rec, rec.state, { lastExit });
  }

  /** What holds VM `id` now, if anything. */
  holder(id: string): HeldOperation | undefined {
    return this.held.get(id);
  }

  /**
   * Runs `fn` as operation `op` on VM `id`, holding the VM's lock. Refused with Conflict `busy` while another
   * operation holds it, Conflict `wrong_state` unless the table allows `op` now (`allowed` narrows that further,
   * e.g. a live migration only while running or paused). `fn` gets the record as it was checked.
   * @throws NotFound, Conflict; Conflict `guest_died` when qemu exits while `fn` runs and `fn` fails.
   */
  async run<T>(
    id: string,
    op: VmOperation,
    what: string,
    fn: (rec: VmRecord) => Promise<T>,
    allowed: readonly VmState[] = VM_OPERATIONS[op].allowed,
  ): Promise<T> {
    const rec = this.record(id);
    const holder = this.held.get(id);
    if (holder !== undefined)
      throw new Conflict('busy', `the VM is busy ${holder.what}: try again when that is done`);
    this.check(rec, op, allowed);
    this.held.set(id, { op, what });
    try {
      return await this.watched(id, what, () => fn(rec));
    } finally {
      this.held.delete(id);
    }
  }

  /**
   * Runs `fn` as operation `op` without waiting for the lock: power-off ends qemu whatever holds the VM (the
   * operation holding it then ends with `guest_died`).
   * @throws NotFound, Conflict `wrong_state`
   */
  async preempt<T>(id: string, op: VmOperation, what: string, fn: (rec: VmRecord) => Promise<T>): Promise<T> {
    const rec = this.record(id);
    this.check(rec, op, VM_OPERATIONS[op].allowed);
    return this.watched(id, what, () => fn(rec));
  }

  private check(rec: VmRecord, op: VmOperation, allowed: readonly VmState[]): void {
    if (!isOperationAllowed(op, rec.state) || !allowed.includes(rec.state)) {
      const refusal = isOperationAllowed(op, rec.state)
        ? `cannot ${op} a VM that is ${rec.state} (allowed when ${allowed.join(' or ')})`
        : operationRefusal(op, rec.state);
      throw new Conflict(ErrorCode.wrongState, refusal);
    }
  }

  /** Runs `fn`; a failure while qemu died becomes Conflict `guest_died` naming what ran. */
  private async watched<T>(id: string, what: string, fn: () => Promise<T>): Promise<T> {
    const rt = this.runtime(id);
    try {
      return await fn();
    } catch (err) {
      throw (await qemuDeath(rt, what, err)) ?? err;
    }
  }

  private record(id: string): VmRecord {
    const rec = this.repo.get(id);
    if (!rec) throw new NotFound(`VM ${id}`);
    return rec;
  }

  private write(rec: VmRecord, state: VmState, facts: TransitionFacts): VmRecord {
    const next: VmRecord = {
      ...rec,
      state,
      lastExit: 'lastExit' in facts ? facts.lastExit : rec.lastExit,
      startedAt: facts.startedAt ?? rec.startedAt,
    };
    this.repo.saveState(next);
    this.publish(next);
    return next;
  }
}
