import type { QemuProcess } from '@virtweb/qemu';
import type { VmAction, VmState } from '@virtweb/protocol';

/**
 * Carries out a lifecycle action (other than start) on a guest's qemu process; returns the state the VM takes
 * at once, if any. Shutdown and power-off run on in the background: the process's exit ends them.
 */
export async function runOnProcess(
  proc: QemuProcess,
  action: Exclude<VmAction, 'start'>,
  shutdownTimeoutMs: number,
): Promise<VmState | undefined> {
  switch (action) {
    case 'shutdown':
      void proc.stop({ powerdownTimeoutMs: shutdownTimeoutMs }).catch(() => undefined);
      return 'stopping';
    case 'poweroff':
      void proc.stop({ from: 'quit' }).catch(() => undefined);
      return 'stopping';
    case 'reset':
      await proc.qmp.execute('system_reset');
      return undefined;
    case 'pause':
      await proc.qmp.execute('stop');
      return 'paused';
    case 'resume':
      await proc.qmp.execute('cont');
      return 'running';
  }
}
