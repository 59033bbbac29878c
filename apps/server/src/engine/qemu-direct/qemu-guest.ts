import type { QemuProcess } from '@virtweb/qemu';
import type { QmpClient } from '@virtweb/qmp';
import type { GuestConsoles, GuestExit, GuestStopOptions, RunningGuest } from '../engine.ts';
import type { SwtpmProcess } from './swtpm.ts';

/** A qemu process virtweb started (or re-found after a restart), as a running guest of the qemu-direct engine. */
export class QemuGuest implements RunningGuest {
  readonly consoles: GuestConsoles;

  constructor(
    readonly proc: QemuProcess,
    /** The guest's TPM emulator, when it has a TPM. */
    private readonly tpm?: SwtpmProcess,
  ) {
    const { paths } = proc;
    this.consoles = {
      screen: paths.vnc,
      serial: paths.serial,
      serialPorts: paths.serialPorts,
      monitor: paths.monitor,
      qmp: paths.qmpUser,
      agent: paths.agent,
    };
  }

  get pid(): number {
    return this.proc.pid;
  }

  get qmp(): QmpClient {
    return this.proc.qmp;
  }

  get faults(): readonly string[] {
    const fault = this.tpm?.fault;
    return fault === undefined ? [] : [fault];
  }

  onFault(listener: (message: string) => void): void {
    this.tpm?.onDeath(listener);
  }

  get exit(): GuestExit | undefined {
    return this.proc.exit;
  }

  get exited(): Promise<GuestExit> {
    return this.proc.exited;
  }

  once(event: 'exit', listener: (exit: GuestExit) => void): void {
    this.proc.once(event, listener);
  }

  off(event: 'exit', listener: (exit: GuestExit) => void): void {
    this.proc.off(event, listener);
  }

  stop(opts?: GuestStopOptions): Promise<GuestExit> {
    return this.proc.stop(opts);
  }

  kill(signal: NodeJS.Signals): boolean {
    return this.proc.kill(signal);
  }

  detach(): Promise<void> {
    return this.proc.detach();
  }
}
