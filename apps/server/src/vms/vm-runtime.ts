import type { QemuExit, QemuProcess } from '@virtweb/qemu';
import type { ResolvedAccel } from '@virtweb/protocol';
import type { VmDefinition } from './definition.ts';
import { SerialBuffer, type SerialSink } from './serial-buffer.ts';

/** What a runtime reports to the VM service; states come from qemu's own events, never from guesses. */
export interface RuntimeHooks {
  onQmpEvent(event: string): void;
  onExit(exit: QemuExit): void;
  /** Where the serial output also goes (the guest's log on disk). */
  log: SerialSink;
  /** What the console shows before the first new output (an adopted guest's run so far). */
  scrollback: Buffer;
}

/** `new`: qemu was just started here; `adopted`: found running after a server restart. */
export type RunOrigin = 'new' | 'adopted';

/** One live qemu process of a VM: its QMP connection, its serial scrollback and its event wiring. */
export class VmRuntime {
  readonly serial: SerialBuffer;

  private constructor(
    readonly proc: QemuProcess,
    readonly accel: ResolvedAccel,
    /** The definition qemu was started with: settings changed since apply at the next start. */
    readonly launched: VmDefinition,
    log: SerialSink,
  ) {
    this.serial = new SerialBuffer(log);
  }

  /** Wires a started or adopted process: serial first (so no output is lost), then events and exit. */
  static async attach(
    proc: QemuProcess,
    accel: ResolvedAccel,
    launched: VmDefinition,
    hooks: RuntimeHooks,
  ): Promise<VmRuntime> {
    const rt = new VmRuntime(proc, accel, launched, hooks.log);
    rt.serial.seed(hooks.scrollback);
    try {
      await rt.serial.attach(proc.paths.serial);
    } catch {
      // NOTE: the guest still runs without a serial console; the console websocket will say so.
    }
    proc.qmp.on('event', (e) => hooks.onQmpEvent(e.event));
    void proc.exited.then((exit) => {
      rt.serial.close();
      hooks.onExit(exit);
    });
    return rt;
  }

  get pid(): number {
    return this.proc.pid;
  }
}
