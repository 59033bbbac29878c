// Image and clone operations: scratch images created, converted (some from a running guest's disk, some long
// enough for a kill to land inside), resized and deleted; clones of stopped guests, started and deleted.
import { ok, unknownOutcome, type OpRun, type OpSpec } from './op-kit.ts';
import type { Answer } from './soak-server.ts';
import type { Existence } from './world.ts';

/** An image with real data (filled at setup) whose convert takes long enough for a kill to land inside. */
export const BULK_IMAGE = 'bulk.qcow2';
const MAX_SCRATCH = 5;
const MAX_CLONES = 2;

const scratch = (run: OpRun): string[] =>
  [...run.world.images].filter(([n, e]) => n.startsWith('scratch') && e !== 'gone').map(([n]) => n);
const clones = (run: OpRun) =>
  [...run.world.vms].filter(([, v]) => v.guest === undefined && v.existence !== 'gone').map(([id]) => id);

/** Records the outcome of a request that makes (or, `removal`, deletes) an image. */
function made(run: OpRun, name: string, a: Answer, removal = false): void {
  if (ok(a)) run.world.images.set(name, removal ? 'gone' : 'exists');
  else if (unknownOutcome(a)) run.world.images.set(name, 'maybe');
  else if (removal && a.status === 404) run.world.images.set(name, 'gone');
}

const createImage: OpSpec = {
  kind: 'image-create',
  scope: 'global',
  weight: (ctx) => (scratchCount(ctx.world.images) < MAX_SCRATCH ? 2 : 0),
  run: async (run) => {
    const overlay = run.prng.chance(0.3);
    const format = overlay || run.prng.chance(0.7) ? 'qcow2' : 'raw';
    const name = `${run.world.name('scratch')}.${format}`;
    run.rec.images.push(name);
    const body = overlay ? { name, format, backingImage: BULK_IMAGE } : { name, format, size: '32M' };
    made(run, name, await run.api('POST', '/api/images', body));
  },
};

const convert: OpSpec = {
  kind: 'convert',
  scope: 'global',
  weight: (ctx) => (scratchCount(ctx.world.images) < MAX_SCRATCH ? 2 : 0.3),
  run: async (run) => {
    const guestDisk = run.prng.pick(run.world.guests).disks[run.prng.int(0, 1)]?.image ?? BULK_IMAGE;
    const sources = scratch(run);
    const source =
      run.prng.weighted([
        [BULK_IMAGE, 5],
        [guestDisk, 3],
        [sources.length > 0 ? run.prng.pick(sources) : BULK_IMAGE, 2],
      ]) ?? BULK_IMAGE;
    const format = run.prng.chance(0.7) ? 'qcow2' : 'raw';
    const target = `${run.world.name('scratch')}.${format}`;
    run.rec.images.push(source, target);
    made(run, target, await run.api('POST', `/api/images/${source}/convert`, { target, format }));
  },
};

const resize: OpSpec = {
  kind: 'resize',
  scope: 'global',
  weight: () => 1.5,
  run: async (run) => {
    const sources = scratch(run);
    const guest = run.prng.pick(run.world.guests);
    const disk = guest.disks[run.prng.int(0, 1)] ?? guest.disks[0];
    const r = run.prng.next();
    if (r < 0.45 && sources.length > 0) {
      const name = run.prng.pick(sources);
      run.rec.images.push(name);
      await run.api('POST', `/api/images/${name}/resize`, { size: `${run.prng.int(33, 64)}M` });
    } else if (r < 0.8) {
      // Grow a guest disk (online through qemu when it runs): the marker area stays where it is.
      run.rec.images.push(disk.image);
      await run.api('POST', `/api/images/${disk.image}/resize`, { size: `${64 + run.prng.int(1, 16)}M` });
    } else {
      // Shrink disk a, which its VM always has: refused (409) by design, it would cut the guest's data.
      const image = guest.disks[0].image;
      run.rec.images.push(image);
      const a = await run.api('POST', `/api/images/${image}/resize`, { size: '16M', shrink: true });
      if (ok(a))
        run.ctx.violation(
          'in-use image shrunk',
          `${image} (disk a of ${guest.name}) was shrunk: ${a.status}`,
        );
    }
  },
};

const deleteImage: OpSpec = {
  kind: 'image-delete',
  scope: 'global',
  weight: (ctx) => (scratchCount(ctx.world.images) > 0 ? 2 : 0),
  run: async (run) => {
    const names = scratch(run);
    if (names.length === 0) return;
    const name = run.prng.pick(names);
    run.rec.images.push(name);
    made(run, name, await run.api('DELETE', `/api/images/${name}`), true);
  },
};

/** Clones a stopped guest (copy or overlay of each disk): a VM of its own that the clone ops start and delete. */
const clone: OpSpec = {
  kind: 'clone',
  scope: 'guest',
  weight: (ctx, _g, v) =>
    cloneCount(ctx.world.vms) >= MAX_CLONES ? 0 : v && ['stopped', 'crashed'].includes(v.state) ? 1 : 0.1,
  run: async (run, g) => {
    if (!g) return;
    const view = run.world.view(g.id);
    const name = run.world.name(`${g.name}-clone`);
    const disks = (view?.disks ?? []).map((d) => ({
      image: d.image,
      mode: run.prng.chance(0.6) ? 'copy' : 'overlay',
      target: `${name}-d${d.index}.qcow2`,
    }));
    run.rec.images.push(...disks.flatMap((d) => [d.image, d.target]));
    const a = await run.api('POST', `/api/vms/${g.id}/clone`, { name, disks });
    if (ok(a)) {
      run.world.vms.set((a.body as { id: string }).id, { name, existence: 'exists' });
      for (const d of disks) run.world.images.set(d.target, 'exists');
    } else if (unknownOutcome(a)) {
      for (const d of disks) run.world.images.set(d.target, 'maybe');
    }
  },
};

const cloneAction: OpSpec = {
  kind: 'clone-action',
  scope: 'global',
  weight: (ctx) => (cloneCount(ctx.world.vms) > 0 ? 1.5 : 0),
  run: async (run) => {
    const ids = clones(run);
    if (ids.length === 0) return;
    const id = run.prng.pick(ids);
    run.rec.vmId = id;
    const what = run.prng.weighted([
      ['start', 2],
      ['poweroff', 2],
      ['delete', 1.5],
    ]);
    if (what !== 'delete') {
      await run.api('POST', `/api/vms/${id}/${what ?? 'start'}`);
      return;
    }
    const images = run.world.view(id)?.disks.map((d) => d.image) ?? [];
    run.rec.images.push(...images);
    const a = await run.api('DELETE', `/api/vms/${id}`, { deleteImages: images });
    const vm = run.world.vms.get(id);
    if (vm && (ok(a) || a.status === 404)) vm.existence = 'gone';
    else if (vm && unknownOutcome(a)) vm.existence = 'maybe';
    if (ok(a) || unknownOutcome(a)) for (const image of images) made(run, image, a, true);
  },
};

function scratchCount(images: Map<string, Existence>): number {
  return [...images].filter(([n, e]) => n.startsWith('scratch') && e !== 'gone').length;
}

function cloneCount(vms: Map<string, { existence: Existence; guest?: unknown }>): number {
  return [...vms.values()].filter((v) => v.guest === undefined && v.existence !== 'gone').length;
}

export const IMAGE_OPS: OpSpec[] = [createImage, convert, resize, deleteImage, clone, cloneAction];
