import { z } from 'zod';
import { AccelSchema, BootDeviceSchema, MachineSchema, type CreateVmRequestSchema } from '@virtweb/protocol';

// NOTE: definitions stored before disks had slots carry none: a disk's slot was its list position then.
const DisksSchema = z
  .array(z.object({ image: z.string(), index: z.number().int().optional(), format: z.string().optional() }))
  .transform((disks) =>
    disks.map((d, i) => ({
      image: d.image,
      index: d.index ?? i,
      ...(d.format === undefined ? {} : { format: d.format }),
    })),
  );

/** What the store keeps for a VM: the validated request with defaults filled in. */
export const VmDefinitionSchema = z.object({
  name: z.string(),
  memoryMiB: z.number().int(),
  vcpus: z.number().int(),
  /**
   * In boot order; `index` is the disk's slot (qemu node `disk<index>`), kept for the disk's life. `format` is
   * recorded when the disk is attached and never probed again: a guest that writes a qcow2 header (with a
   * backing file such as /etc/shadow) into its raw disk must not change how qemu opens it next time.
   */
  disks: DisksSchema,
  cdrom: z.string().optional(),
  boot: BootDeviceSchema,
  accel: AccelSchema,
  network: z.enum(['user', 'none']),
  machine: MachineSchema.default('q35'),
});
export type VmDefinition = z.infer<typeof VmDefinitionSchema>;

/** Fills the defaults a create request may leave out: boot from the CD when there is one. */
export function definitionFromRequest(req: z.output<typeof CreateVmRequestSchema>): VmDefinition {
  return {
    name: req.name,
    memoryMiB: req.memoryMiB,
    vcpus: req.vcpus,
    disks: req.disks.map((d, index) => ({ image: d.image, index })),
    ...(req.cdrom === undefined ? {} : { cdrom: req.cdrom }),
    boot: req.boot ?? (req.cdrom !== undefined || req.disks.length === 0 ? 'cdrom' : 'disk'),
    accel: req.accel ?? 'auto',
    network: req.network ?? 'user',
    machine: req.machine ?? 'q35',
  };
}
