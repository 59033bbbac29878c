import { ErrorCode, LIVE_STATES, type UpdateVmRequestSchema, type Vm } from '@virtweb/protocol';
import type { z } from 'zod';
import { Conflict } from '../domain/errors.ts';
import type { VmRecord } from '../store/vms-repo.ts';
import type { VmDefinition } from './definition.ts';
import { definitionFromUpdate } from './definition-from-request.ts';
import { macsOf } from './nic-defaults.ts';
import { sameDisks } from './pending-changes.ts';
import type { VmContext } from './vm-context.ts';
import { assertValid } from './vm-validation.ts';

type UpdateRequest = z.output<typeof UpdateVmRequestSchema>;

const LIVE_STORAGE = 'attach/detach disks and change the CD in the Storage tab while it runs';

/**
 * `PUT /api/vms/:id`: replaces the configuration. While stopped it simply applies. While qemu runs the disks
 * and CD must be the current ones (they change live, through the Storage endpoints); everything else is stored
 * and applies at the next start (`pendingChanges` of the VM lists it). A firmware change drops the UEFI
 * variable store: it belongs to one OVMF build, and the next start makes a fresh one. Requires: the `settings`
 * operation's states, holding the VM's lock (so nothing else changes the definition meanwhile). Rollback: none
 * needed, the definition is stored once at the end, after every check.
 * @throws Invalid (field issues), NotFound, Conflict (disks or CD while running, wrong state, name taken, busy)
 */
export async function updateVm(ctx: VmContext, id: string, req: UpdateRequest): Promise<Vm> {
  return ctx.states.run(id, 'settings', 'changing its settings', async (before) => {
    const live = liveness(ctx, before);
    const current = before.definition;
    if (live) refuseStorageChanges(current, req);
    const def = definitionFromUpdate(current, req, macsOf(ctx.repo.list(), id));
    const attaching = new Set(
      def.disks.filter((d) => !current.disks.some((c) => c.image === d.image)).map((d) => d.index),
    );
    await assertValid(ctx.checks, def, { vmId: id, attaching });
    def.disks = await Promise.all(
      def.disks.map(async (d) =>
        d.format !== undefined ? d : { ...d, format: await ctx.images.formatOf(d.image) },
      ),
    );
    // The lock keeps the disks as they were, but qemu can change the CD behind the server's back (HMP).
    const rec = ctx.record(id);
    if (!sameDisks(rec.definition.disks, current.disks) || rec.definition.cdrom !== current.cdrom) {
      throw new Conflict('busy', 'the disks or the CD changed while the settings were checked: try again');
    }
    if (def.firmware !== current.firmware) await ctx.nvram.remove(id);
    rec.definition = def;
    ctx.repo.updateDefinition(id, def);
    ctx.publish(rec);
    ctx.bus.publish({ type: 'images.changed' });
    return ctx.toVm(rec);
  });
}

/** True while qemu runs the VM; false while stopped (the lock has checked it is one or the other). */
function liveness(ctx: VmContext, rec: VmRecord): boolean {
  if (!LIVE_STATES.includes(rec.state)) return false;
  if (ctx.runtime(rec.id)) return true;
  throw new Conflict(
    ErrorCode.wrongState,
    `VM ${rec.definition.name} is ${rec.state} but has no qemu process`,
  );
}

function refuseStorageChanges(current: VmDefinition, req: UpdateRequest): void {
  const details: { path: string; message: string }[] = [];
  const asked = req.disks.map((d) => ({
    image: d.image,
    bus: d.bus ?? current.disks.find((c) => c.image === d.image)?.bus ?? 'virtio',
  }));
  if (!sameDisks(current.disks, asked)) details.push({ path: 'disks', message: LIVE_STORAGE });
  if (req.cdrom !== current.cdrom) details.push({ path: 'cdrom', message: LIVE_STORAGE });
  if (details.length > 0) {
    throw new Conflict(ErrorCode.wrongState, `the VM is running: ${LIVE_STORAGE}`, details);
  }
}
