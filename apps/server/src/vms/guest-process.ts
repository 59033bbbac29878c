import { ErrorCode, type SignalRequest, type Vm, type VmLog, type VmProcess } from '@virtweb/protocol';
import { Conflict } from '../domain/errors.ts';
import type { VmService } from './vm-service.ts';

/** The guest as a host process: what `ps`, `top` and `ls /proc/<pid>/fd` say, qemu's log, and signals. */
export class GuestProcess {
  constructor(private readonly vms: VmService) {}

  /** @throws NotFound, Conflict `wrong_state` when the guest has no qemu process (or it is gone). */
  async describe(id: string): Promise<VmProcess> {
    const info = await this.vms.engineOf(id).describeProcess(id, this.pid(id));
    if (!info) throw new Conflict(ErrorCode.wrongState, 'the qemu process is gone');
    return info;
  }

  /** The last `lines` lines of qemu's log, with hints. @throws NotFound */
  log(id: string, lines: number): Promise<VmLog> {
    return this.vms.engineOf(id).readLog(id, lines);
  }

  /**
   * Sends `signal` to the guest's qemu, as `kill -s <signal> <pid>` does: the state then follows from the
   * process's exit. @returns the VM as it is now. @throws NotFound, Conflict `wrong_state` without a qemu process
   */
  signal(id: string, signal: SignalRequest['signal']): Vm {
    process.kill(this.pid(id), signal);
    return this.vms.get(id);
  }

  private pid(id: string): number {
    this.vms.get(id);
    const rt = this.vms.runtime(id);
    if (!rt) throw new Conflict(ErrorCode.wrongState, 'the guest has no qemu process: start it first');
    return rt.pid;
  }
}
