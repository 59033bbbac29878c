import { ErrorCode, VM_TRANSITIONS, type ResolvedAccel, type VmExit, type VmState } from '@virtweb/protocol';
import { Conflict } from '../domain/errors.ts';
import type { GuestExit } from '../engine/engine.ts';
import type { VmRecord } from '../store/vms-repo.ts';
import type { VmDefinition } from './definition.ts';
import { insert } from './vm-create.ts';
import type { VmContext } from './vm-context.ts';
import type { AttachedLaunch } from './vm-lifecycle.ts';
import type { RunOrigin, VmRuntime } from './vm-runtime.ts';

/** Wires a qemu the migration started (or found) to the VM (the lifecycle's, passed in by the service). */
export type AttachRuntime = (
  id: string,
  launched: AttachedLaunch,
  def: VmDefinition,
  run?: RunOrigin,
) => Promise<VmRuntime>;

/** A qemu found again after a server restart: wired to the VM (never resumed), or how it ended. */
export type AdoptedForMigration =
  { kind: 'alive'; rt: VmRuntime; status: string } | { kind: 'dead'; exit: VmExit };

const EXIT_WAIT_MS = 15_000;

/**
 * What migrations, saves and restores do to VMs: the `migrating` state while a job owns a VM, a VM defined from
 * another host with its qemu waiting for the stream (`-incoming defer`), and removing a VM that moved away.
 * The job holds the VM's lock (`states.run` with `migrate`, `save` or `restore`) from before `begin` to its end;
 * every state change goes through the VM's state machine (`begin`: the job's event, the rest: `settled` or, for
 * a qemu that exited, `exited`).
 */
export class VmMigrationOps {
  constructor(
    private readonly ctx: VmContext,
    private readonly attach: AttachRuntime,
  ) {}

  /**
   * Marks a VM `migrating` (lifecycle actions, settings and storage changes are refused meanwhile).
   * @returns the state it had. @throws NotFound, Conflict `wrong_state` when its state is not in `allowed`
   */
  begin(
    id: string,
    event: 'migrate' | 'save' | 'restore',
    allowed: readonly VmState[] = VM_TRANSITIONS[event].from,
  ): VmState {
    const rec = this.ctx.record(id);
    const previous = rec.state;
    if (!allowed.includes(previous)) {
      throw new Conflict(
        ErrorCode.wrongState,
        `cannot ${event} a VM that is ${previous} (allowed when ${allowed.join(' or ')})`,
      );
    }
    if ((previous === 'running' || previous === 'paused') && !this.ctx.runtime(id)) {
      throw new Conflict(ErrorCode.wrongState, `VM ${rec.definition.name} has no qemu process`);
    }
    this.ctx.states.transition(id, event);
    return previous;
  }

  /**
   * Ends `migrating` on a VM that stays here: its state follows its qemu (running or paused), or `fallback`
   * when it has none. A VM whose qemu exited meanwhile keeps the state its exit gave it.
   */
  async settle(id: string, fallback: VmState): Promise<void> {
    const rt = this.ctx.runtime(id);
    if (!rt) {
      this.settleAs(id, fallback);
      return;
    }
    const status = await rt.guest.qmp
      .execute('query-status', { timeoutMs: 10_000 })
      .then((s) => s.status)
      .catch(() => undefined);
    if (!this.ctx.runtime(id)) return;
    this.settleAs(id, status === 'running' ? 'running' : 'paused');
  }

  /** Ends `migrating` with the state the job (or its adoption) knows (a no-op once the VM left `migrating`). */
  settleAs(id: string, state: VmState): void {
    this.ctx.states.follow(id, 'settled', { to: state });
  }

  /** A guest that runs here again after a migration or restore (paused if it was saved so): a fresh start time. */
  started(id: string, paused = false): void {
    this.ctx.states.transition(id, 'settled', {
      to: paused ? 'paused' : 'running',
      startedAt: new Date().toISOString(),
      lastExit: undefined,
    });
  }

  /** A stopped VM with `reason` as its last exit ("migrated to host-b", "saved to x.vmstate.zst"). */
  markStopped(id: string, reason: string): void {
    const rec = this.ctx.repo.get(id);
    if (!rec) return;
    const lastExit = { kind: 'clean' as const, reason, at: new Date().toISOString() };
    // The job's words replace the exit's (a save's qemu quit: "saved to x", not "quit by virtweb").
    if (rec.state === 'migrating') this.ctx.states.transition(id, 'settled', { to: 'stopped', lastExit });
    else if (rec.state === 'stopped' || rec.state === 'crashed') this.ctx.states.note(id, lastExit);
  }

  /** Quits the VM's qemu (QMP `quit`, escalating) and waits for its exit. */
  async quit(id: string): Promise<GuestExit | undefined> {
    const rt = this.ctx.runtime(id);
    if (!rt) return undefined;
    return rt.guest.stop({ from: 'quit', quitTimeoutMs: 10_000 });
  }

  /** SIGKILLs the VM's qemu (a half-received guest has nothing worth a clean exit) and waits, bounded. */
  async kill(id: string): Promise<void> {
    const rt = this.ctx.runtime(id);
    if (!rt) return;
    rt.guest.kill('SIGKILL');
    await Promise.race([rt.guest.exited, new Promise((r) => setTimeout(r, EXIT_WAIT_MS))]);
  }

  /**
   * The end of a VM that moved away: its qemu quit, then the definition removed (or kept stopped with
   * `reason`). Its images stay.
   */
  async retire(id: string, opts: { keepDefinition: boolean; reason: string }): Promise<void> {
    await this.quit(id);
    if (opts.keepDefinition) this.markStopped(id, opts.reason);
    else await this.undefine(id);
  }

  /** Removes a VM without a qemu: its record, UEFI variables, TPM state and run directory (not its images). */
  async undefine(id: string): Promise<void> {
    const rec = this.ctx.repo.get(id);
    if (!rec) return;
    this.ctx.repo.delete(id);
    this.ctx.bus.publish({ type: 'vm.deleted', id });
    this.ctx.bus.publish({ type: 'images.changed' });
    await this.ctx.nvram.remove(id).catch(() => undefined);
    await this.ctx.tpm.remove(id).catch(() => undefined);
    await this.ctx.engines.find(rec.engine)?.forget(id);
  }

  /** Kills the VM's qemu if it has one, then removes the VM (an aborted incoming migration). */
  async discard(id: string): Promise<void> {
    await this.kill(id);
    await this.undefine(id);
  }

  /**
   * Defines a VM arriving from another host, in state `migrating` (its qemu is started by `launchIncoming`).
   * @throws Conflict when the name was taken meanwhile
   */
  defineIncoming(def: VmDefinition): VmRecord {
    const rec = insert(this.ctx, def);
    return this.ctx.states.transition(rec.id, 'receive');
  }

  /**
   * Starts the VM's qemu paused and waiting for a stream (`-incoming defer`), with the accelerator the state
   * was made with, and wires it to the VM (serial console, events): the guest's output after the switch-over
   * is on this server's console.
   * @throws DomainError (as a start), QemuStartError; no qemu is left running then
   */
  async launchIncoming(id: string, accel: ResolvedAccel | undefined): Promise<VmRuntime> {
    const rec = this.ctx.record(id);
    const engine = this.ctx.engines.of(rec.engine);
    const started = await engine.start(id, rec.definition, {
      incoming: true,
      ...(accel === undefined ? {} : { accel }),
    });
    try {
      return await this.attach(id, { engine, ...started }, rec.definition);
    } catch (err) {
      started.guest.kill('SIGKILL');
      throw err;
    }
  }

  /**
   * After a server restart: the qemu of a VM left `migrating`, wired to the VM but never resumed (the caller
   * decides), with its run state; or how it ended.
   */
  async adopt(id: string): Promise<AdoptedForMigration> {
    const rec = this.ctx.record(id);
    const engine = this.ctx.engines.of(rec.engine);
    const adopted = await engine.adopt(id);
    if (adopted.kind === 'dead') return { kind: 'dead', exit: adopted.exit };
    const rt = await this.attach(
      id,
      { engine, guest: adopted.guest, accel: adopted.accel },
      adopted.launched ?? rec.definition,
      'adopted',
    );
    const status = await adopted.guest.qmp
      .execute('query-status', { timeoutMs: 10_000 })
      .then((s) => s.status as string)
      .catch(() => 'unknown');
    return { kind: 'alive', rt, status };
  }

  /** A VM whose qemu is gone and whose migration was undone here: `stopped` (or `crashed`) with the exit. */
  markDead(id: string, exit: VmExit): void {
    const lastExit = { ...exit, reason: `${exit.reason} (while the server was not running)` };
    this.ctx.states.follow(id, 'exited', { to: exit.kind === 'crashed' ? 'crashed' : 'stopped', lastExit });
  }
}
