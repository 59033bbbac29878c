import { z } from 'zod';
import { AccelSchema, ResolvedAccelSchema } from './host.ts';
import { ImageNameSchema, VmNameSchema } from './names.ts';

export const VmStateSchema = z.enum([
  'defined',
  'starting',
  'running',
  'paused',
  'stopping',
  'stopped',
  'crashed',
  'migrating',
]);
export type VmState = z.infer<typeof VmStateSchema>;

export const VmActionSchema = z.enum(['start', 'shutdown', 'poweroff', 'reset', 'pause', 'resume']);
export type VmAction = z.infer<typeof VmActionSchema>;

export const BootDeviceSchema = z.enum(['cdrom', 'disk']);

/** qemu machine type: `q35` (PCIe, AHCI; the default) or `pc` (i440fx, PIIX IDE: for old guests). */
export const MachineSchema = z.enum(['q35', 'pc']);
export type Machine = z.infer<typeof MachineSchema>;

export const MIN_MEMORY_MIB = 32;
export const MAX_VCPUS = 255;

export const CreateVmRequestSchema = z.strictObject({
  name: VmNameSchema,
  memoryMiB: z.number().int().min(MIN_MEMORY_MIB, `memory must be at least ${MIN_MEMORY_MIB} MiB`),
  vcpus: z.number().int().min(1, 'at least one vCPU').max(MAX_VCPUS),
  disks: z
    .array(z.strictObject({ image: ImageNameSchema }))
    .max(8, 'at most 8 disks')
    .default([]),
  cdrom: ImageNameSchema.optional(),
  boot: BootDeviceSchema.optional(),
  accel: AccelSchema.optional(),
  /** User-mode NAT (default) or no network. */
  network: z.enum(['user', 'none']).optional(),
  /** Default `q35`. */
  machine: MachineSchema.optional(),
});
export type CreateVmRequest = z.input<typeof CreateVmRequestSchema>;

/** How the last qemu process of a guest ended. */
export const VmExitSchema = z.object({
  kind: z.enum(['clean', 'crashed', 'killed']),
  /** Plain words, e.g. "guest powered off", "killed by SIGKILL", "qemu exited with code 1". */
  reason: z.string(),
  at: z.string(),
  /** The last lines of qemu.log when qemu failed. */
  logTail: z.string().optional(),
});
export type VmExit = z.infer<typeof VmExitSchema>;

export const VmSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: VmStateSchema,
  pid: z.number().int().optional(),
  memoryMiB: z.number().int(),
  vcpus: z.number().int(),
  /** `index`: the disk's slot (stable across hot-plug and restarts; see storage.ts). */
  /** `format` is the qemu format recorded when the disk was attached (never probed again). */
  disks: z.array(z.object({ image: z.string(), index: z.number().int(), format: z.string().optional() })),
  cdrom: z.string().optional(),
  boot: BootDeviceSchema,
  network: z.enum(['user', 'none']),
  machine: MachineSchema,
  /** Requested accelerator. */
  accel: AccelSchema,
  /** What the running qemu uses (set while a process exists). */
  activeAccel: ResolvedAccelSchema.optional(),
  /** Why `auto` picked TCG, when it did. */
  accelReason: z.string().optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  lastExit: VmExitSchema.optional(),
});
export type Vm = z.infer<typeof VmSchema>;
