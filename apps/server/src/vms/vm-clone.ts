import { ErrorCode, ImageFormatSchema, type CloneVmRequestSchema, type Vm } from '@virtweb/protocol';
import type { z } from 'zod';
import type { VmRecord } from '../store/vms-repo.ts';
import type { VmDefinition } from './definition.ts';
import type { VmContext } from './vm-context.ts';
import { randomMac, macsOf } from './nic-defaults.ts';
import { atPath, insert } from './vm-create.ts';
import { assertValid, issuesError, type Issue } from './vm-validation.ts';

type CloneRequest = z.output<typeof CloneVmRequestSchema>;

/**
 * Clones a stopped VM: every disk is copied (`qemu-img convert`, same format) or gets a qcow2 overlay backed by
 * the original (which then must not be written: the source VM will not start while the overlay exists). The
 * CD, kernel and settings are shared, the UEFI variable store is copied. Requires: the `clone` operation's
 * states (no qemu), holding the source's lock. Rollback: whatever was made (images, the new VM, its variable
 * store) is removed again when a step fails.
 * @throws Invalid (disks not listed exactly once), NotFound, Conflict (not stopped, busy, name or target taken)
 */
export async function cloneVm(ctx: VmContext, id: string, req: CloneRequest): Promise<Vm> {
  return ctx.states.run(id, 'clone', `cloning it to ${req.name}`, async (source) => {
    const src = source.definition;
    await checkDiskList(ctx, src, req);
    const targetOf = new Map(req.disks.map((d) => [d.image, d]));
    const def: VmDefinition = {
      ...src,
      name: req.name,
      disks: src.disks.map((d) => {
        const t = targetOf.get(d.image);
        const format = t?.mode === 'overlay' ? 'qcow2' : copyFormat(d.format);
        return { ...d, image: t?.target ?? d.image, format };
      }),
      nics: withNewMacs(src.nics, macsOf(ctx.repo.list())),
    };
    const creating = new Map(def.disks.map((d) => [d.index, { sizeBytes: 0 }]));
    await assertValid(ctx.checks, def, { creating });
    const made: string[] = [];
    let rec: VmRecord | undefined;
    try {
      for (const [i, d] of req.disks.entries()) {
        const from = src.disks.find((s) => s.image === d.image);
        // The source disk is read as the VM reads it (its recorded format), never as its bytes look now.
        const make =
          d.mode === 'overlay'
            ? ctx.images.create({ name: d.target, format: 'qcow2', backingImage: d.image }, from?.format)
            : ctx.images.convert(
                d.image,
                { target: d.target, format: copyFormat(from?.format) },
                from?.format,
              );
        await make.catch((err: unknown) => {
          throw atPath(err, `disks.${i}.target`);
        });
        made.push(d.target);
      }
      rec = insert(ctx, def);
      await ctx.nvram.copy(id, rec.id);
      await ctx.tpm.copy(id, rec.id);
    } catch (err) {
      if (rec) {
        ctx.repo.delete(rec.id);
        await ctx.nvram.remove(rec.id);
        await ctx.tpm.remove(rec.id);
      }
      for (const name of made.reverse()) await ctx.images.delete(name).catch(() => undefined);
      throw err;
    }
    ctx.publish(rec);
    ctx.bus.publish({ type: 'images.changed' });
    return ctx.toVm(rec);
  });
}

/** The format of a full copy: the source's, when the store can write it (else qcow2). */
function copyFormat(format: string | undefined): z.output<typeof ImageFormatSchema> {
  const parsed = ImageFormatSchema.safeParse(format);
  return parsed.success ? parsed.data : 'qcow2';
}

/** Each disk of the source exactly once, targets new and distinct. @throws Invalid / Conflict */
async function checkDiskList(ctx: VmContext, src: VmDefinition, req: CloneRequest): Promise<void> {
  const issues: Issue[] = [];
  const bad = (path: string, message: string) =>
    issues.push({ path, message, kind: 'invalid', code: ErrorCode.validation });
  const listed = new Set<string>();
  const targets = new Set<string>();
  for (const [i, d] of req.disks.entries()) {
    if (!src.disks.some((s) => s.image === d.image)) bad(`disks.${i}.image`, `not a disk of VM ${src.name}`);
    else if (listed.has(d.image)) bad(`disks.${i}.image`, `${d.image} is listed twice`);
    listed.add(d.image);
    if (targets.has(d.target)) bad(`disks.${i}.target`, `${d.target} is the target of two disks`);
    else if (await ctx.images.exists(d.target)) {
      issues.push({
        path: `disks.${i}.target`,
        message: `an image named ${d.target} already exists`,
        kind: 'clash',
        code: ErrorCode.exists,
      });
    }
    targets.add(d.target);
  }
  const missing = src.disks.filter((s) => !listed.has(s.image)).map((s) => s.image);
  if (missing.length > 0) bad('disks', `say how to clone every disk: ${missing.join(', ')} missing`);
  const owner = ctx.checks.vmNamed(req.name);
  if (owner !== undefined) {
    issues.push({
      path: 'name',
      message: `a VM named ${req.name} already exists`,
      kind: 'clash',
      code: ErrorCode.exists,
    });
  }
  if (issues.length > 0) throw issuesError(issues);
}

/** A clone's NICs: the source's, each with a new MAC (two guests with one MAC on a bridge clash). */
function withNewMacs(nics: VmDefinition['nics'], taken: Set<string>): VmDefinition['nics'] {
  return nics.map((n) => {
    const mac = randomMac(taken);
    taken.add(mac);
    return { ...n, mac };
  });
}
