import { z } from 'zod';
import { AccelSchema, BootDeviceSchema, type CreateVmRequestSchema } from '@virtweb/protocol';

/** What the store keeps for a VM: the validated request with defaults filled in. */
export const VmDefinitionSchema = z.object({
  name: z.string(),
  memoryMiB: z.number().int(),
  vcpus: z.number().int(),
  disks: z.array(z.object({ image: z.string() })),
  cdrom: z.string().optional(),
  boot: BootDeviceSchema,
  accel: AccelSchema,
  network: z.enum(['user', 'none']),
});
export type VmDefinition = z.infer<typeof VmDefinitionSchema>;

/** Fills the defaults a create request may leave out: boot from the CD when there is one. */
export function definitionFromRequest(req: z.output<typeof CreateVmRequestSchema>): VmDefinition {
  return {
    name: req.name,
    memoryMiB: req.memoryMiB,
    vcpus: req.vcpus,
    disks: req.disks,
    ...(req.cdrom === undefined ? {} : { cdrom: req.cdrom }),
    boot: req.boot ?? (req.cdrom !== undefined || req.disks.length === 0 ? 'cdrom' : 'disk'),
    accel: req.accel ?? 'auto',
    network: req.network ?? 'user',
  };
}
