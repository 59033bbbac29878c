// Storage operations on the soak's guests: hot-plug and unplug of disk b, CD changes, snapshots (create, revert,
// delete, live or offline), and deletes of images a running guest holds (which must be refused).
import type { DiskModel, MarkerSets } from './disk-model.ts';
import { ok, unknownOutcome, type OpRun, type OpSpec } from './op-kit.ts';
import { scanProcesses } from './proc-scan.ts';
import type { Guest, VmView } from './world.ts';

const has = (view: VmView | undefined, image: string) => view?.disks.some((d) => d.image === image) === true;
const live = (view: VmView | undefined) => view !== undefined && ['running', 'paused'].includes(view.state);
const MAX_SNAPSHOTS = 4;

const plug: OpSpec = {
  kind: 'plug',
  scope: 'guest',
  weight: (_ctx, g, v) => (g && !has(v, g.disks[1].image) ? 3 : 0.3),
  run: async (run, g) => {
    if (!g) return;
    run.rec.images.push(g.disks[1].image);
    await run.api('POST', `/api/vms/${g.id}/disks`, { image: g.disks[1].image });
  },
};

const unplug: OpSpec = {
  kind: 'unplug',
  scope: 'guest',
  weight: (_ctx, g, v) => (g && has(v, g.disks[1].image) ? 2.5 : 0.3),
  run: async (run, g) => {
    if (!g) return;
    run.rec.images.push(g.disks[1].image);
    await run.api('DELETE', `/api/vms/${g.id}/disks/${g.disks[1].slot}`);
  },
};

const cdrom: OpSpec = {
  kind: 'cdrom',
  scope: 'guest',
  weight: () => 1,
  run: async (run, g) => {
    if (!g) return;
    const image = run.prng.pick([null, 'tinylinux.iso', 'alt.iso']);
    await run.api('PUT', `/api/vms/${g.id}/cdrom`, { image, force: run.prng.chance(0.7) });
  },
};

/**
 * Markers of this disk whose write may still happen: under way, or never confirmed (a command typed into a
 * console may wait in its buffers and run after a revert).
 */
function pendingOn(run: OpRun, disk: DiskModel): string[] {
  return [...run.world.markers.values()]
    .filter((m) => m.image === disk.image && m.state !== 'synced')
    .map((m) => m.text);
}

const snapshot: OpSpec = {
  kind: 'snapshot',
  scope: 'guest',
  weight: (_ctx, g, v) => (g && g.snapshots.size >= MAX_SNAPSHOTS ? 0.3 : v?.state === 'stopping' ? 0.3 : 3),
  run: async (run, g) => {
    if (!g) return;
    run.rec.images.push(...g.disks.map((d) => d.image));
    const name = run.world.name(`${g.name}-snap`);
    const begun = new Map(g.disks.map((d) => [d, d.beginCapture()]));
    const wasLive = live(run.world.view(g.id));
    const a = await run.api('POST', `/api/vms/${g.id}/snapshots`, { name });
    if (ok(a)) {
      const snap = a.body as { disks?: number[]; withRam?: boolean } | undefined;
      for (const slot of slotsOf(run, g, snap?.disks)) {
        const disk = g.diskAt(slot);
        const start = disk && begun.get(disk);
        if (disk && start) disk.snapshots.set(name, disk.endCapture(start));
      }
      g.snapshots.set(name, { live: snap?.withRam ?? wasLive, revertable: true });
    } else if (unknownOutcome(a)) {
      g.snapshots.set(name, { live: wasLive, revertable: false });
    }
  },
};

const revert: OpSpec = {
  kind: 'revert',
  scope: 'guest',
  weight: (_ctx, g) => (g && [...g.snapshots.values()].some((s) => s.revertable) ? 3 : 0),
  run: async (run, g) => {
    if (!g) return;
    const names = [...g.snapshots].filter(([, s]) => s.revertable).map(([n]) => n);
    if (names.length === 0) return;
    const name = run.prng.pick(names);
    run.rec.images.push(...g.disks.map((d) => d.image));
    g.revertsBegun++;
    const a = await run.api('POST', `/api/vms/${g.id}/snapshots/${name}/revert`);
    g.reverts.push({ op: run.rec.id, snapshot: name, status: a.status, at: Date.now() });
    if (g.reverts.length > 4) g.reverts.shift();
    const holding = g.disks.filter((d) => d.snapshots.has(name));
    if (ok(a)) {
      for (const slot of slotsOf(run, g, (a.body as { disks?: number[] } | undefined)?.disks)) {
        const disk = g.diskAt(slot);
        if (!disk) continue;
        const pending = pendingOn(run, disk);
        for (const m of pending) markUnknown(run, m);
        disk.reverted(disk.snapshots.get(name) ?? { present: new Set(), maybe: new Set() }, pending);
      }
    } else if (unknownOutcome(a) || run.cutOff(g.id)) {
      for (const disk of holding) disk.maybeReverted(disk.snapshots.get(name) as MarkerSets);
    } else if (a.status === 404) {
      run.ctx.violation(
        'snapshot lost',
        `${g.name}: snapshot ${name} (created 201, never deleted) is gone: 404`,
      );
    }
    // A failed revert must have changed nothing: look now, through the guest.
    g.verifyWanted = true;
  },
};

/** The disk slots a snapshot answer names (the VM's attached disks, as last listed, if it names none). */
function slotsOf(run: OpRun, g: Guest, disks: number[] | undefined): number[] {
  if (Array.isArray(disks)) return disks;
  run.note('the answer names no disks: taking the attached ones');
  return run.world.view(g.id)?.disks.map((d) => d.index) ?? [0];
}

function markUnknown(run: OpRun, text: string): void {
  const m = run.world.markers.get(text);
  if (m) m.state = 'unknown';
}

const deleteSnapshot: OpSpec = {
  kind: 'snapshot-delete',
  scope: 'guest',
  weight: (_ctx, g) => (!g || g.snapshots.size === 0 ? 0 : g.snapshots.size >= MAX_SNAPSHOTS ? 4 : 1.5),
  run: async (run, g) => {
    if (!g || g.snapshots.size === 0) return;
    const name = run.prng.pick([...g.snapshots.keys()]);
    const rec = g.snapshots.get(name);
    run.rec.images.push(...g.disks.map((d) => d.image));
    const a = await run.api('DELETE', `/api/vms/${g.id}/snapshots/${name}`);
    if (ok(a) || unknownOutcome(a)) g.snapshots.delete(name);
    else if (a.status === 404) {
      g.snapshots.delete(name);
      if (rec?.revertable === true)
        run.ctx.violation(
          'snapshot lost',
          `${g.name}: snapshot ${name} (created 201, never deleted) is gone: 404`,
        );
    }
  },
};

/** `DELETE /api/images/:name` of an image the guest's qemu holds open: a 2xx is a violation. */
const deleteInUse: OpSpec = {
  kind: 'delete-in-use',
  scope: 'guest',
  weight: (_ctx, _g, v) => (live(v) ? 0.8 : 0),
  run: async (run, g) => {
    if (!g) return;
    const scan = await scanProcesses(run.ctx.dataDir);
    const qemu = scan.qemu.find((q) => q.vmId === g.id);
    const held = g.disks.map((d) => d.image).filter((i) => qemu?.openImages.includes(i));
    if (!qemu || held.length === 0) return;
    const image = run.prng.pick(held);
    run.rec.images.push(image);
    const a = await run.api('DELETE', `/api/images/${image}`);
    if (!ok(a)) return;
    run.world.images.set(image, 'gone');
    const raced = run.world.activeOnImage(image, ['unplug'], Date.now() - run.rec.startedAt).length > 0;
    if (!raced && !run.cutOff(g.id)) {
      run.ctx.violation(
        'in-use image deleted',
        `${image}, held open by qemu ${qemu.pid} of ${g.name}, was deleted (${a.status}) with no unplug under way`,
      );
    }
  },
};

export const STORAGE_OPS: OpSpec[] = [plug, unplug, cdrom, snapshot, revert, deleteSnapshot, deleteInUse];
