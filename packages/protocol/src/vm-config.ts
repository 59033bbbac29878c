import { z } from 'zod';
import type { DiskBus } from './disks.ts';
import { ImageNameSchema } from './names.ts';
import type { NicModel } from './nics.ts';
import { SizeSchema } from './size.ts';

/** The guest OS family the wizard's presets are for (virt-manager's "OS type"). */
export const OsTypeSchema = z.enum(['linux', 'windows', 'windows11', 'other']);
export type OsType = z.infer<typeof OsTypeSchema>;

/** `uefi-secure`: OVMF with Secure Boot and Microsoft keys enrolled (needs q35: the firmware uses SMM). */
export const FirmwareSchema = z.enum(['bios', 'uefi', 'uefi-secure']);
export type Firmware = z.infer<typeof FirmwareSchema>;

/** The guest's RTC: Linux keeps UTC, Windows expects local time. */
export const ClockSchema = z.enum(['utc', 'localtime']);
export type Clock = z.infer<typeof ClockSchema>;

/** vCPU topology: sockets × cores × threads must equal the vCPU count. */
export const CpuTopologySchema = z.strictObject({
  sockets: z.number().int().min(1),
  cores: z.number().int().min(1),
  threads: z.number().int().min(1),
});
export type CpuTopology = z.infer<typeof CpuTopologySchema>;

/** Direct kernel boot (`-kernel`, `-initrd`, `-append`): files from the image store. */
export const KernelBootSchema = z.strictObject({
  kernel: ImageNameSchema,
  initrd: ImageNameSchema.optional(),
  cmdline: z
    .string()
    .max(4096, 'the kernel command line is longer than 4096 characters')
    // eslint-disable-next-line no-control-regex
    .regex(/^[^\x00-\x1f\x7f]*$/, 'no control characters or line breaks in the kernel command line')
    .optional(),
});
export type KernelBoot = z.infer<typeof KernelBootSchema>;

/** A disk to create as part of creating the VM (removed again when the VM cannot be created). */
export const NewDiskSchema = z.strictObject({
  format: z.enum(['qcow2', 'raw']).default('qcow2'),
  sizeBytes: SizeSchema,
});

/** What the OS presets pick when a request leaves the choice out. */
export interface OsPreset {
  label: string;
  memoryMiB: number;
  vcpus: number;
  diskBus: DiskBus;
  nicModel: NicModel;
  diskSizeGiB: number;
  balloon: boolean;
  clock: Clock;
  /** A guest agent channel (virtio-serial; the guest needs qemu-guest-agent). */
  guestAgent: boolean;
  machine: 'q35' | 'pc';
  firmware: Firmware;
  /** One line for the wizard: why these devices. */
  why: string;
  /** Something the wizard shows besides (e.g. where the drivers for faster devices come from). */
  note?: string;
}

/** Windows from 2000 to 10: what its installer has drivers for. */
const WINDOWS: OsPreset = {
  label: 'Windows',
  memoryMiB: 4096,
  vcpus: 2,
  diskBus: 'sata',
  nicModel: 'e1000',
  diskSizeGiB: 64,
  balloon: false,
  clock: 'localtime',
  guestAgent: false,
  machine: 'q35',
  firmware: 'bios',
  why: 'SATA disk and e1000 network (the installer has drivers for both; virtio needs the virtio-win CD), RTC in local time',
};

export const OS_PRESETS: Record<OsType, OsPreset> = {
  linux: {
    label: 'Linux',
    memoryMiB: 1024,
    vcpus: 1,
    diskBus: 'virtio',
    nicModel: 'virtio',
    diskSizeGiB: 10,
    balloon: true,
    clock: 'utc',
    guestAgent: true,
    machine: 'q35',
    firmware: 'bios',
    why: 'virtio disk and network (drivers are in every Linux kernel), a memory balloon, a guest agent channel, RTC in UTC',
  },
  windows: WINDOWS,
  windows11: {
    ...WINDOWS,
    label: 'Windows 11',
    firmware: 'uefi-secure',
    why: 'what Windows 11 asks for: UEFI with Secure Boot, a TPM 2.0, 4 GiB, 2 vCPUs, 64 GiB; SATA disk and e1000 network, RTC in local time',
    note:
      'Windows has no virtio drivers of its own: to use virtio disks or network (faster), attach the virtio-win ' +
      'driver CD (virtio-win.iso from the Fedora project) and load the drivers during setup.',
  },
  other: {
    label: 'Other',
    memoryMiB: 512,
    vcpus: 1,
    diskBus: 'sata',
    nicModel: 'e1000',
    diskSizeGiB: 8,
    balloon: false,
    clock: 'utc',
    guestAgent: false,
    machine: 'q35',
    firmware: 'bios',
    why: 'emulated SATA disk and e1000 network: devices almost every OS has drivers for',
  },
};
