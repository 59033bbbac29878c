import type { ResolvedAccel } from '@virtweb/protocol';
import type { Engine, GuestExit, RunningGuest } from '../engine/engine.ts';
import type { VmDefinition } from './definition.ts';
import { SerialBuffer, type SerialSink } from './serial-buffer.ts';

/** What a runtime reports to the VM service; states come from qemu's own events, never from guesses. */
export interface RuntimeHooks {
  onQmpEvent(event: string): void;
  onExit(exit: GuestExit): void;
  /** A device behind the guest failed while it runs (its TPM emulator died). */
  onFault(message: string): void;
  /** Where the serial output also goes (the guest's log on disk). */
  log: SerialSink;
  /** What the console shows before the first new output (an adopted guest's run so far). */
  scrollback: Buffer;
}

/** `new`: qemu was just started here; `adopted`: found running after a server restart. */
export type RunOrigin = 'new' | 'adopted';

/** One running guest of a VM: its engine, its process (QMP, consoles), its serial scrollback and its event wiring. */
export class VmRuntime {
  readonly serial: SerialBuffer;

  private constructor(
    readonly engine: Engine,
    readonly guest: RunningGuest,
    readonly accel: ResolvedAccel,
    /** The definition qemu was started with: settings changed since apply at the next start. */
    readonly launched: VmDefinition,
    log: SerialSink,
  ) {
    this.serial = new SerialBuffer(log);
  }

  /** Wires a started or adopted process: serial first (so no output is lost), then events and exit. */
  static async attach(
    engine: Engine,
    guest: RunningGuest,
    accel: ResolvedAccel,
    launched: VmDefinition,
    hooks: RuntimeHooks,
  ): Promise<VmRuntime> {
    const rt = new VmRuntime(engine, guest, accel, launched, hooks.log);
    rt.serial.seed(hooks.scrollback);
    try {
      await rt.serial.attach(guest.consoles.serial);
    } catch {
      // NOTE: the guest still runs without a serial console; the console websocket will say so.
    }
    guest.qmp.on('event', (e) => hooks.onQmpEvent(e.event));
    guest.onFault?.((message) => hooks.onFault(message));
    void guest.exited.then((exit) => {
      rt.serial.close();
      hooks.onExit(exit);
    });
    return rt;
  }

  get pid(): number {
    return this.guest.pid;
  }
}
