import { ErrorCode, type BalloonInfo } from '@virtweb/protocol';
import { Conflict, Invalid } from '../domain/errors.ts';
import { guestStats } from './balloon-stats.ts';
import { qemuRefused } from './storage/qemu-refused.ts';
import type { VmContext } from './vm-context.ts';
import type { VmRuntime } from './vm-runtime.ts';

/**
 * Asks the guest's balloon driver to give memory back to the host down to `targetMiB` (or to take it again, up
 * to the memory it was started with). QMP `balloon` answers at once; the guest adjusts over the next seconds.
 * Requires: the `balloon` operation's states, holding the VM's lock. Rollback: none (one QMP command).
 * @throws Invalid (target above the VM's memory), NotFound, Conflict (not running, no balloon device, busy, qemu
 *   refused or died)
 */
export async function setBalloon(ctx: VmContext, id: string, targetMiB: number): Promise<BalloonInfo> {
  return ctx.states.run(id, 'balloon', 'setting the balloon', async () => {
    const rt = balloonRuntime(ctx, id);
    const max = rt.launched.memoryMiB;
    if (targetMiB > max) {
      throw new Invalid(`targetMiB: at most ${max} MiB, the memory the VM was started with`, [
        { path: 'targetMiB', message: `at most ${max} MiB` },
      ]);
    }
    await rt.guest.qmp.execute('balloon', { value: targetMiB * 2 ** 20 }).catch((err: unknown) => {
      throw qemuRefused(err, 'cannot set the balloon');
    });
    return read(rt);
  });
}

/** @throws NotFound, Conflict (not running, no balloon device, qemu refused) */
export function balloonInfo(ctx: VmContext, id: string): Promise<BalloonInfo> {
  return read(balloonRuntime(ctx, id));
}

function balloonRuntime(ctx: VmContext, id: string): VmRuntime {
  const rec = ctx.record(id);
  const rt = ctx.runtime(id);
  if (!rt || (rec.state !== 'running' && rec.state !== 'paused')) {
    throw new Conflict(
      ErrorCode.wrongState,
      `VM ${rec.definition.name} is ${rec.state}: the balloon needs a running guest`,
    );
  }
  if (!rt.launched.balloon) {
    throw new Conflict(
      ErrorCode.conflict,
      `VM ${rec.definition.name} runs without a memory balloon: turn it on in Settings, then restart the VM`,
    );
  }
  return rt;
}

async function read(rt: VmRuntime): Promise<BalloonInfo> {
  const info = await rt.guest.qmp.execute('query-balloon').catch((err: unknown) => {
    throw qemuRefused(err, 'cannot read the balloon');
  });
  const stats = await guestStats(rt.guest.qmp).catch((err: unknown) => {
    throw qemuRefused(err, "cannot read the guest's memory statistics");
  });
  return { actualMiB: Math.round(info.actual / 2 ** 20), memoryMiB: rt.launched.memoryMiB, ...stats };
}
