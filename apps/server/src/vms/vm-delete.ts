import { ErrorCode, IMAGE_BUSY, type DeleteVmRequestSchema } from '@virtweb/protocol';
import type { z } from 'zod';
import { Conflict } from '../domain/errors.ts';
import type { VmContext } from './vm-context.ts';
import { issuesError, type Issue } from './vm-validation.ts';

type DeleteRequest = z.output<typeof DeleteVmRequestSchema>;

/**
 * Deletes a stopped VM, its UEFI variable store and runtime dir, and then the images the request names. Those
 * must be the VM's own (a disk, the CD, the kernel or initrd), used by no other VM and backing no other
 * image. Requires: the `delete` operation's states (no qemu), holding the VM's lock. Rollback: none needed,
 * everything is checked before anything is deleted; images that could not be deleted are named in the answer.
 * @throws Invalid (not this VM's image), NotFound, Conflict (qemu runs, image used elsewhere, backs others, busy)
 */
export async function deleteVm(ctx: VmContext, id: string, req: DeleteRequest): Promise<void> {
  await ctx.states.run(id, 'delete', 'being deleted', async (rec) => {
    const def = rec.definition;
    const own = new Set([
      ...def.disks.map((d) => d.image),
      ...(def.cdrom === undefined ? [] : [def.cdrom]),
      ...(def.kernel === undefined ? [] : [def.kernel.kernel]),
      ...(def.kernel?.initrd === undefined ? [] : [def.kernel.initrd]),
    ]);
    const doomed = [...new Set(req.deleteImages)];
    const issues: Issue[] = [];
    for (const [i, image] of req.deleteImages.entries()) {
      const path = `deleteImages.${i}`;
      const inUse = (message: string, code: string = ErrorCode.inUse) =>
        issues.push({ path, message, kind: 'clash', code });
      if (!own.has(image)) {
        issues.push({
          path,
          message: `${image} is not an image of VM ${def.name}`,
          kind: 'invalid',
          code: ErrorCode.validation,
        });
        continue;
      }
      if (!(await ctx.images.exists(image))) continue; // already gone: nothing to delete
      const others = ctx.images.users(image).filter((u) => u !== id);
      if (others.length > 0) {
        inUse(`${image} is also used by VM ${others.map((u) => ctx.checks.vmName(u)).join(', ')}: keep it`);
      }
      const dependents = await ctx.images.dependentsOf(image);
      if (dependents.length > 0) {
        inUse(`${image} is the backing file of ${dependents.join(', ')}: keep it, or delete those first`);
      }
      const op = ctx.images.locks.operationOn(image);
      if (op !== undefined) inUse(`${image} is busy: ${op} in progress`, IMAGE_BUSY);
    }
    if (issues.length > 0) throw issuesError(issues);

    ctx.repo.delete(id);
    await ctx.nvram.remove(id);
    await ctx.tpm.remove(id);
    await ctx.serialLogs.remove(id);
    // A guest of an engine this server no longer has leaves nothing here to forget.
    await ctx.engines.find(rec.engine)?.forget(id);
    const failed: string[] = [];
    for (const image of doomed) {
      if (!(await ctx.images.exists(image))) continue;
      await ctx.images.delete(image).catch((err: unknown) => {
        failed.push(`${image} (${err instanceof Error ? err.message : 'unknown error'})`);
      });
    }
    // Only now: a browser refetching the images on `vm.deleted` must not get the list from before the deletes.
    ctx.bus.publish({ type: 'vm.deleted', id });
    ctx.bus.publish({ type: 'images.changed' });
    if (failed.length > 0) {
      throw new Conflict(
        ErrorCode.conflict,
        `VM ${def.name} was deleted, but not these images: ${failed.join('; ')}`,
      );
    }
  });
}
