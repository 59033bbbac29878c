import { windows11Readiness, type Windows11Readiness } from '@virtweb/protocol';
import type { VmContext } from './vm-context.ts';

/**
 * What guest `id` lacks for Windows 11, as defined (the next start): its disks' sizes are the image store's
 * virtual sizes now, which only the server knows (a disk it cannot read counts as unknown, not as passing).
 * @throws NotFound
 */
export async function windows11Of(
  ctx: Pick<VmContext, 'record' | 'images'>,
  id: string,
): Promise<Windows11Readiness> {
  const def = ctx.record(id).definition;
  const diskBytes = await Promise.all(
    def.disks.map((d) =>
      ctx.images.get(d.image).then(
        (image) => image.virtualSize,
        () => undefined,
      ),
    ),
  );
  return windows11Readiness({
    firmware: def.firmware,
    tpm: def.devices.tpm,
    memoryMiB: def.memoryMiB,
    vcpus: def.vcpus,
    machine: def.machine,
    diskBytes,
  });
}
