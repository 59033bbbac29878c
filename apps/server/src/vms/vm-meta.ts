// Tags, notes and autostart: what the user says of a guest besides its hardware. They change nothing in the
// guest, so they are stored at once in any state, outside the guest's lock (a long start does not hold them up).
import type { Autostart, Vm, VmLabels } from '@virtweb/protocol';
import type { VmMeta } from '../store/vms-repo.ts';
import type { VmContext } from './vm-context.ts';

/** Stores a new meta for the VM and publishes it. @throws NotFound */
function saveMeta(ctx: VmContext, id: string, edit: (meta: VmMeta) => VmMeta): Vm {
  const rec = ctx.record(id);
  const meta = edit(rec.meta);
  ctx.repo.saveMeta(id, meta);
  const saved = { ...rec, meta };
  ctx.publish(saved);
  return ctx.toVm(saved);
}

/** Replaces the VM's tags and notes. @throws NotFound */
export function setLabels(ctx: VmContext, id: string, labels: VmLabels): Vm {
  return saveMeta(ctx, id, (meta) => ({ ...meta, tags: labels.tags, notes: labels.notes }));
}

/** Sets whether (and in which order) the VM starts with the host. @throws NotFound */
export function setAutostart(ctx: VmContext, id: string, autostart: Autostart): Vm {
  return saveMeta(ctx, id, (meta) => ({ ...meta, autostart }));
}
