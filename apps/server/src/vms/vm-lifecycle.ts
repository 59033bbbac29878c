import {
  ErrorCode,
  IMAGE_BUSY,
  PROCESS_STATES,
  type VmAction,
  type VmExit,
  type VmState,
} from '@virtweb/protocol';
import { startShutdown } from '../agent/agent-shutdown.ts';
import { Conflict, DomainError } from '../domain/errors.ts';
import type { Engine, GuestExit, StartedGuest } from '../engine/engine.ts';
import type { VmRecord } from '../store/vms-repo.ts';
import type { VmDefinition } from './definition.ts';
import { exitWithin, guestDied } from './qemu-death.ts';
import type { VmContext } from './vm-context.ts';
import { VmRuntime, type RunOrigin } from './vm-runtime.ts';
import { SERIAL_SCROLLBACK_BYTES } from './serial-buffer.ts';
import { assertValid } from './vm-validation.ts';
import { Spans } from '../debug-timing.ts';

type ProcessAction = Exclude<VmAction, 'start'>;
/** A started or adopted guest of an engine: its accelerator and why `auto` chose it. */
export type AttachedLaunch = Omit<StartedGuest, 'accelReason'> & {
  engine: Engine;
  accelReason?: string | undefined;
};

const WORDS: Record<VmAction, string> = {
  start: 'starting the VM',
  shutdown: 'asking for a shutdown',
  poweroff: 'powering off',
  reset: 'resetting',
  pause: 'pausing',
  resume: 'resuming',
};
/** How long a start gives the qemu it gave up on to exit (it was sent SIGKILL). */
const ABANDON_WAIT_MS = 15_000;

/**
 * The life of each guest's qemu: starts, the actions on a running process, adoption after a server restart,
 * and what qemu's events and exit do to the VM's state (always through the state machine, `ctx.states`).
 */
export class VmLifecycle {
  private readonly runtimes = new Map<string, VmRuntime>();
  private readonly accelReasons = new Map<string, string>();

  constructor(
    private readonly ctx: VmContext,
    private readonly shutdownTimeoutMs: number,
  ) {}

  runtime(id: string): VmRuntime | undefined {
    return this.runtimes.get(id);
  }

  accelReason(id: string): string | undefined {
    return this.accelReasons.get(id);
  }

  entries(): [string, VmRuntime][] {
    return [...this.runtimes];
  }

  /**
   * A lifecycle action, through the VM's lock (power-off preempts whatever holds it).
   * - start: requires defined/stopped/crashed; the VM is `starting` (its images in use) before anything is
   *   awaited. Rollback: qemu killed and waited for, the VM back where it was; a qemu that died on its own
   *   leaves the VM crashed (Conflict `guest_died`).
   * - shutdown, poweroff: require running/paused (poweroff also stopping); `stopping` at once, the exit ends it.
   * - pause, resume, reset: require running/paused as the table says; nothing to roll back (qemu refused).
   * @throws NotFound, Conflict (wrong state, busy, qemu refused or died)
   */
  action(id: string, action: VmAction): Promise<VmRecord> {
    if (action === 'start') return this.ctx.states.run(id, 'start', WORDS.start, (rec) => this.start(rec));
    if (action === 'poweroff') {
      return this.ctx.states.preempt(id, action, WORDS[action], (rec) => this.onProcess(rec, action));
    }
    return this.ctx.states.run(id, action, WORDS[action], (rec) => this.onProcess(rec, action));
  }

  /**
   * Re-adopts the guests that kept running while the server was down, in the state the server last knew
   * (see {@link adoptedState}); marks the dead ones. VMs left `migrating` are the migration service's.
   */
  async adoptAll(): Promise<void> {
    const spans = new Spans('adopt all');
    // Each guest on its own (its own sockets, state and lock): all at once, so that a host full of guests is
    // back in about the time of the slowest one rather than the sum of all (measured: `npm run bench -- guests`).
    const alive = await Promise.all(this.ctx.repo.list().map((rec) => this.adoptOne(rec)));
    spans.mark(`${alive.filter(Boolean).length} guests`);
    spans.log();
  }

  /** Adopts one guest if it is a process state of this server's engines; true when its qemu was alive. */
  private async adoptOne(rec: VmRecord): Promise<boolean> {
    if (!PROCESS_STATES.includes(rec.state) || rec.state === 'migrating') return false;
    const engine = this.ctx.engines.find(rec.engine);
    if (!engine) {
      // Not this server's to judge: the guest may still run there; its state stays as last known.
      console.warn(
        `virtweb: VM ${rec.id} belongs to ${rec.engine.id} on ${rec.engine.connection}, which this server does not have`,
      );
      return false;
    }
    const adopted = await engine.adopt(rec.id);
    if (adopted.kind === 'dead') {
      const lastExit = {
        ...adopted.exit,
        reason: `${adopted.exit.reason} (while the server was not running)`,
      };
      this.ctx.states.transition(rec.id, 'exited', { to: exitState(lastExit), lastExit });
      return false;
    }
    const launched = adopted.launched ?? rec.definition;
    const { guest, accel } = adopted;
    const rt = await this.attach(rec.id, { engine, guest, accel }, launched, 'adopted');
    let state = adoptedState(rec.state, adopted.status);
    // The consoles are attached: only now may a start the server never finished let the guest run.
    if (rec.state === 'starting' && adopted.status === 'prelaunch') {
      const resumed = await guest.qmp.execute('cont').then(
        () => true,
        () => false,
      );
      if (!resumed) state = 'paused';
    }
    const facts =
      rec.state === 'starting' ? { startedAt: new Date().toISOString(), lastExit: undefined } : {};
    // follow, not transition: a qemu that died since it was found has already moved the VM (its exit).
    this.ctx.states.follow(rec.id, 'adopted', { to: state, ...facts });
    // NOTE: the escalation of a pending shutdown died with the server: it starts again.
    if (state === 'stopping') void rt.guest.stop({ powerdownTimeoutMs: this.shutdownTimeoutMs });
    return true;
  }

  /** Closes the server's connections to guests without stopping them: guests outlive the server. */
  async detachAll(): Promise<void> {
    const all = [...this.runtimes.values()];
    this.runtimes.clear();
    await Promise.all(
      all.map(async (rt) => {
        rt.serial.close();
        await rt.guest.detach();
      }),
    );
  }

  /**
   * Wires a started (or adopted) qemu to the VM: serial (with its log on disk), events, exit, storage. An
   * adopted guest's scrollback is its run's output from the log, with a line saying what is missing.
   */
  async attach(
    id: string,
    launched: AttachedLaunch,
    def: VmDefinition,
    run: RunOrigin = 'new',
  ): Promise<VmRuntime> {
    const logs = this.ctx.serialLogs;
    if (run === 'new') logs.startRun(id, launched.guest.pid);
    const scrollback =
      run === 'adopted' ? await logs.currentRun(id, SERIAL_SCROLLBACK_BYTES) : Buffer.alloc(0);
    const rt = await VmRuntime.attach(launched.engine, launched.guest, launched.accel, def, {
      onQmpEvent: (event) => this.onQmpEvent(id, event),
      onExit: (exit) => this.onExit(id, rt, exit),
      onFault: (message) => this.onFault(id, rt, message),
      log: logs.log(id),
      scrollback,
    });
    if (run === 'adopted') {
      rt.serial.note(
        `the server restarted at ${new Date().toISOString()}; output from while it was down is not kept`,
      );
    }
    this.runtimes.set(id, rt);
    this.ctx.storage.attach(id, rt);
    if (launched.accelReason !== undefined) this.accelReasons.set(id, launched.accelReason);
    else this.accelReasons.delete(id);
    return rt;
  }

  private async start(rec: VmRecord): Promise<VmRecord> {
    const previous = rec.state;
    // Before any await (with the lock just taken): `starting` makes the images in use, and the storage,
    // settings and image operations that would change them refuse from here until qemu has exited.
    const spans = new Spans(`start ${rec.id}`);
    this.ctx.states.transition(rec.id, 'start');
    let rt: VmRuntime | undefined;
    try {
      refuseBusyImages(this.ctx, rec.definition);
      // The host may have changed since the VM was defined: an image deleted, a bridge gone, OVMF removed.
      await assertValid(this.ctx.checks, rec.definition, {
        vmId: rec.id,
        attaching: new Set(),
        starting: true,
      });
      spans.mark('checks');
      const engine = this.ctx.engines.of(rec.engine);
      const started = await engine.start(rec.id, rec.definition);
      spans.mark('launch');
      rt = await this.attach(rec.id, { engine, ...started }, rec.definition);
      spans.mark('attach');
      await started.guest.qmp.execute('cont');
      spans.mark('cont');
      const running = this.ctx.states.transition(rec.id, 'launched', {
        startedAt: new Date().toISOString(),
        lastExit: undefined,
      });
      spans.mark('state');
      spans.log();
      return running;
    } catch (err) {
      throw await this.startFailed(rec.id, previous, rt, err);
    }
  }

  /** Rolls a failed start back: its qemu gone (waited for), the VM where it was. Returns the answer. */
  private async startFailed(
    id: string,
    previous: VmState,
    rt: VmRuntime | undefined,
    err: unknown,
  ): Promise<unknown> {
    if (rt) {
      const died = rt.guest.exit ?? (rt.guest.qmp.state === 'ready' ? undefined : await exitWithin(rt, 5000));
      // qemu died on its own: its exit has shown the VM crashed, with qemu's last words.
      if (died) return guestDied(WORDS.start, died);
      // Given up on: its exit is not the guest's (the VM goes back where it was), but its images stay in use
      // until it is gone.
      this.runtimes.delete(id);
      rt.guest.kill('SIGKILL');
      await exitWithin(rt, ABANDON_WAIT_MS);
    }
    this.ctx.states.follow(id, 'start-failed', { to: previous });
    if (err instanceof DomainError) return err;
    const message = err instanceof Error ? err.message : 'unknown error';
    return new Conflict(ErrorCode.qemuFailed, `qemu did not start: ${message}`);
  }

  private async onProcess(rec: VmRecord, action: ProcessAction): Promise<VmRecord> {
    const rt = this.runtimes.get(rec.id);
    if (!rt) throw new Conflict(ErrorCode.wrongState, `VM ${rec.definition.name} has no qemu process`);
    const { states } = this.ctx;
    switch (action) {
      case 'shutdown':
        // Through the guest agent when it answers, else ACPI (the VM's shutdownVia says which).
        startShutdown(this.ctx.agents, rec.id, rt, this.shutdownTimeoutMs, () => {
          const now = this.ctx.repo.get(rec.id);
          if (now) this.ctx.publish(now);
        });
        return states.transition(rec.id, 'shutdown');
      case 'poweroff':
        // Preempts a pending shutdown's escalation: quit, SIGTERM, SIGKILL now (the engine's stop).
        void rt.guest.stop({ from: 'quit' });
        return states.transition(rec.id, 'poweroff');
      case 'reset':
        await rt.guest.qmp.execute('system_reset');
        return states.transition(rec.id, 'reset');
      case 'pause':
        await rt.guest.qmp.execute('stop');
        // qemu's STOP event may have been first: either way the VM is paused now.
        return states.follow(rec.id, 'pause') ?? this.ctx.record(rec.id);
      case 'resume':
        await rt.guest.qmp.execute('cont');
        return states.follow(rec.id, 'resume') ?? this.ctx.record(rec.id);
    }
  }

  private onQmpEvent(id: string, event: string): void {
    if (event === 'STOP') this.ctx.states.follow(id, 'pause');
    else if (event === 'RESUME') this.ctx.states.follow(id, 'resume');
    else if (event === 'SHUTDOWN') this.ctx.states.follow(id, 'shutdown');
    this.ctx.bus.publish({ type: 'vm.qmp-event', id, event, at: new Date().toISOString() });
  }

  /** Said everywhere a user may look: the server's log, the serial console, the events and the VM's view. */
  private onFault(id: string, rt: VmRuntime, message: string): void {
    console.warn(`virtweb: VM ${id}: ${message}`);
    rt.serial.note(message);
    this.ctx.bus.publish({ type: 'vm.fault', id, message, at: new Date().toISOString() });
    const rec = this.ctx.repo.get(id);
    if (rec) this.ctx.publish(rec);
  }

  private onExit(id: string, rt: VmRuntime, exit: GuestExit): void {
    void rt.engine.released(id);
    // A qemu a start gave up on: the start puts the VM back where it was.
    if (this.runtimes.get(id) !== rt) return;
    this.runtimes.delete(id);
    this.accelReasons.delete(id);
    const lastExit: VmExit = {
      kind: exit.kind,
      reason: exit.reason,
      at: new Date().toISOString(),
      ...(exit.kind === 'crashed' && exit.logTail ? { logTail: exit.logTail } : {}),
    };
    this.ctx.states.follow(id, 'exited', { to: exitState(lastExit), lastExit });
  }
}

/**
 * The state a re-adopted guest takes: what the server last knew (`recorded`) where qemu's run state allows it.
 * qemu's `prelaunch` is the -S of a start the server never finished only when the record says `starting`
 * (then the guest is let run); otherwise it follows a reset of a paused guest, which stays paused. A pending
 * shutdown stays pending. Pure.
 */
export function adoptedState(recorded: VmState, qemuStatus: string): 'running' | 'paused' | 'stopping' {
  if (recorded === 'stopping') return 'stopping';
  if (qemuStatus === 'running') return 'running';
  if (qemuStatus === 'prelaunch' && recorded === 'starting') return 'running';
  return 'paused';
}

function exitState(exit: VmExit): 'stopped' | 'crashed' {
  return exit.kind === 'crashed' ? 'crashed' : 'stopped';
}

/** A start refuses while an image operation (convert, resize, upload, delete) holds one of the VM's images. */
function refuseBusyImages(ctx: VmContext, def: VmDefinition): void {
  const names = [
    ...def.disks.map((d) => d.image),
    ...(def.cdrom === undefined ? [] : [def.cdrom]),
    ...(def.kernel === undefined ? [] : [def.kernel.kernel]),
    ...(def.kernel?.initrd === undefined ? [] : [def.kernel.initrd]),
  ];
  for (const name of names) {
    const op = ctx.images.locks.operationOn(name);
    if (op !== undefined)
      throw new Conflict(IMAGE_BUSY, `cannot start: image ${name} is busy: ${op} in progress`);
  }
}
