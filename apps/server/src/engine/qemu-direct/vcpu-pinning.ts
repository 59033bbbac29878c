import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpuListText, ErrorCode, type CpuPinning } from '@virtweb/protocol';
import type { QmpClient } from '@virtweb/qmp';
import { Conflict } from '../../domain/errors.ts';

const execFileP = promisify(execFile);

/**
 * Pins each vCPU thread of a just-started (still paused) qemu to its host CPUs. qemu 7.2 has no option for it,
 * so the server sets the threads' affinity (`taskset -pc`), as libvirt does; it stays with the threads.
 * @throws Conflict with taskset's words (a server without root or CAP_SYS_NICE may not set another user's
 *   threads' affinity)
 */
export async function pinVcpus(qmp: Pick<QmpClient, 'execute'>, pinning: CpuPinning): Promise<void> {
  if (pinning.every((cpus) => cpus.length === 0)) return;
  const threads = await qmp.execute('query-cpus-fast');
  for (const cpu of threads) {
    const cpus = pinning[cpu['cpu-index']] ?? [];
    if (cpus.length === 0) continue;
    const list = cpuListText(cpus);
    try {
      await execFileP('taskset', ['--pid', '--cpu-list', list, String(cpu['thread-id'])], {
        timeout: 10_000,
      });
    } catch (err) {
      const why = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
      throw new Conflict(
        ErrorCode.conflict,
        `cannot pin vCPU ${cpu['cpu-index']} to host CPUs ${list}: ${why} (the server needs root or CAP_SYS_NICE)`,
      );
    }
  }
}
