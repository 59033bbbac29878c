import { z } from 'zod';
import { AccelSchema, ResolvedAccelSchema } from './host.ts';
import { ShutdownViaSchema } from './guest-agent.ts';
import {
  DiskBusSchema,
  DiskCacheSchema,
  DiskDiscardSchema,
  diskBusProblem,
  diskOptionsProblem,
  type DiskBus,
  type DiskOptions,
} from './disks.ts';
import { ImageNameSchema, VmNameSchema } from './names.ts';
import { MAX_DISKS } from './storage.ts';
import { NicsRequestSchema, NicsSchema } from './nics.ts';
import { UsbDevicesSchema } from './usb.ts';
import { AutostartSchema } from './vm-meta.ts';
import { DEFAULT_DEVICES, DevicesRequestSchema, DevicesSchema } from './vm-devices.ts';
import {
  ClockSchema,
  CpuTopologySchema,
  FirmwareSchema,
  KernelBootSchema,
  NewDiskSchema,
  OS_PRESETS,
  OsTypeSchema,
  type CpuTopology,
  type Firmware,
  type KernelBoot,
  type OsType,
} from './vm-config.ts';

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

/** `kernel`: direct kernel boot (`-kernel`); then `kernel` must be set. */
export const BootDeviceSchema = z.enum(['cdrom', 'disk', 'kernel']);
export type BootDevice = z.infer<typeof BootDeviceSchema>;

/** qemu machine type: `q35` (PCIe, AHCI; the default) or `pc` (i440fx, PIIX IDE: for old guests). */
export const MachineSchema = z.enum(['q35', 'pc']);
export type Machine = z.infer<typeof MachineSchema>;

export const MIN_MEMORY_MIB = 32;
export const MAX_VCPUS = 255;

const MemorySchema = z.number().int().min(MIN_MEMORY_MIB, `memory must be at least ${MIN_MEMORY_MIB} MiB`);
const VcpusSchema = z.number().int().min(1, 'at least one vCPU').max(MAX_VCPUS, `at most ${MAX_VCPUS} vCPUs`);

/**
 * Everything about a guest's hardware that a user chooses (the wizard and the Settings tab). Optional fields
 * take the OS preset's choice (`OS_PRESETS`) or the server default.
 */
const vmConfigShape = {
  name: VmNameSchema,
  /** Default `linux`. */
  os: OsTypeSchema.optional(),
  memoryMiB: MemorySchema,
  vcpus: VcpusSchema,
  /** Default: one socket with `vcpus` cores, one thread each. */
  topology: CpuTopologySchema.optional(),
  cdrom: ImageNameSchema.optional(),
  /** Default: `kernel` with `kernel`, else the CD when there is one (or no disk), else the first disk. */
  boot: BootDeviceSchema.optional(),
  kernel: KernelBootSchema.optional(),
  accel: AccelSchema.optional(),
  /**
   * The guest's NICs (`[]`: no network). Default: one user-mode NAT NIC with the preset's model. A NIC's left-out
   * MAC is generated (unique on this server), its slot the lowest free.
   */
  nics: NicsRequestSchema.optional(),
  /** Default `q35`. */
  machine: MachineSchema.optional(),
  /** Default `bios`. */
  firmware: FirmwareSchema.optional(),
  /**
   * The classic troubleshooting switch (`-machine kernel-irqchip=off`): qemu emulates the interrupt controllers
   * (PIC, IOAPIC, LAPIC) in user space instead of KVM doing it in the kernel. Slower; works around host kernel
   * irqchip bugs. Only means something with KVM.
   */
  noKernelIrqchip: z.boolean().optional(),
  /** A virtio memory balloon (lets the host take memory back from a running guest). Default: the preset's. */
  balloon: z.boolean().optional(),
  /** Default: the preset's. */
  clock: ClockSchema.optional(),
  /** Video, sound, RNG, watchdog and CPU model; each left out is the preset's. */
  devices: DevicesRequestSchema.optional(),
  /** A virtio-serial channel for the guest agent (qemu-guest-agent in the guest). Default: the preset's. */
  guestAgent: z.boolean().optional(),
};

/** Cross-field rules shared by create and update: the same messages in the wizard and from the server. */
function checkConfig(
  v: {
    vcpus: number;
    topology?: CpuTopology | undefined;
    boot?: BootDevice | undefined;
    kernel?: KernelBoot | undefined;
    machine?: Machine | undefined;
    firmware?: Firmware | undefined;
    os?: OsType | undefined;
    disks: (DiskOptions & { bus?: DiskBus | undefined })[];
    memoryMiB: number;
    devices?: { hugepages?: boolean | undefined } | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const preset = OS_PRESETS[v.os ?? 'linux'];
  if (v.devices?.hugepages === true && v.memoryMiB % 2 !== 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['devices', 'hugepages'],
      message: `memory on 2 MiB huge pages is a whole number of pages: ${v.memoryMiB} MiB is odd`,
    });
  }
  v.disks.forEach((d, i) => {
    const bus = d.bus ?? preset.diskBus;
    const busProblem = diskBusProblem(bus, v.machine ?? preset.machine);
    if (busProblem !== undefined)
      ctx.addIssue({ code: 'custom', path: ['disks', i, 'bus'], message: busProblem });
    const option = diskOptionsProblem(bus, d);
    if (option !== undefined)
      ctx.addIssue({ code: 'custom', path: ['disks', i, option.field], message: option.message });
  });
  const t = v.topology;
  if (t && t.sockets * t.cores * t.threads !== v.vcpus) {
    ctx.addIssue({
      code: 'custom',
      path: ['topology'],
      message: `sockets × cores × threads is ${t.sockets * t.cores * t.threads}, not ${v.vcpus} vCPUs`,
    });
  }
  if (v.boot === 'kernel' && v.kernel === undefined) {
    ctx.addIssue({ code: 'custom', path: ['kernel'], message: 'direct kernel boot needs a kernel image' });
  }
  if (v.kernel !== undefined && v.boot !== undefined && v.boot !== 'kernel') {
    ctx.addIssue({
      code: 'custom',
      path: ['boot'],
      message: 'with a kernel image set, qemu boots that kernel: choose "kernel" or remove the kernel',
    });
  }
  if (v.firmware === 'uefi-secure' && v.machine === 'pc') {
    ctx.addIssue({
      code: 'custom',
      path: ['firmware'],
      message:
        'Secure Boot firmware needs the q35 machine: it keeps its variables safe with SMM, which qemu only offers on q35 with secure pflash',
    });
  }
}

/** A disk of a new VM: an existing image, or a new one made for it (`create`, then `image` is its name). */
export const VmDiskRequestSchema = z.strictObject({
  image: ImageNameSchema,
  /** Default: the OS preset's bus. */
  bus: DiskBusSchema.optional(),
  cache: DiskCacheSchema.optional(),
  discard: DiskDiscardSchema.optional(),
  readOnly: z.boolean().optional(),
  create: NewDiskSchema.optional(),
});

export const CreateVmRequestSchema = z
  .strictObject({
    ...vmConfigShape,
    disks: z.array(VmDiskRequestSchema).max(MAX_DISKS, `at most ${MAX_DISKS} disks`).default([]),
    /** The libvirt connection (its URI, as added on the Connections page) to define the guest on; none: here. */
    connection: z.string().max(512).optional(),
  })
  .superRefine(checkConfig);
export type CreateVmRequest = z.input<typeof CreateVmRequestSchema>;

/**
 * `PUT /api/vms/:id`: the whole configuration (what the Settings tab edits). Disks are the attached images in
 * boot order with their bus; attaching and detaching is the Storage tab's business (hot-plug while running).
 * While qemu runs the change is stored and applies at the next start (`pendingChanges` says what).
 */
export const UpdateVmRequestSchema = z
  .strictObject({
    ...vmConfigShape,
    disks: z
      .array(z.strictObject({ image: ImageNameSchema, bus: DiskBusSchema.optional() }))
      .max(MAX_DISKS, `at most ${MAX_DISKS} disks`)
      .default([]),
  })
  .superRefine(checkConfig);
export type UpdateVmRequest = z.input<typeof UpdateVmRequestSchema>;

/** `POST /api/vms/:id/clone` (stopped VMs): each disk is copied or gets a qcow2 overlay on the original. */
export const CloneVmRequestSchema = z.strictObject({
  name: VmNameSchema,
  disks: z
    .array(
      z.strictObject({
        /** A disk of the source VM. */
        image: ImageNameSchema,
        /** `copy`: a full, independent copy. `overlay`: a qcow2 file backed by the original (fast, small). */
        mode: z.enum(['copy', 'overlay']),
        /** The new image's name. */
        target: ImageNameSchema,
      }),
    )
    .default([]),
});
export type CloneVmRequest = z.input<typeof CloneVmRequestSchema>;

/** `DELETE /api/vms/:id` body (optional): which of the VM's images (disks or CD) to delete with it. */
export const DeleteVmRequestSchema = z.strictObject({
  deleteImages: z.array(ImageNameSchema).default([]),
});
export type DeleteVmRequest = z.input<typeof DeleteVmRequestSchema>;

/** `POST /api/vms/:id/balloon`: ask the guest's balloon driver to give memory back (or take it again). */
export const BalloonRequestSchema = z.strictObject({ targetMiB: MemorySchema });

/**
 * The guest's own view of its memory, as its balloon driver reports it (virtio-balloon guest statistics), in
 * MiB. `usedMiB` is `totalMiB` less what the guest could use at once (`availableMiB`, else `freeMiB`).
 */
export const GuestMemorySchema = z.object({
  totalMiB: z.number().int(),
  usedMiB: z.number().int(),
  freeMiB: z.number().int(),
  /** Free plus what the guest can reclaim at once (page cache); absent when the guest does not say. */
  availableMiB: z.number().int().optional(),
  /** When qemu last received the guest's figures (ISO 8601). */
  updatedAt: z.string(),
});
export type GuestMemory = z.infer<typeof GuestMemorySchema>;

/**
 * `GET /api/vms/:id/balloon` (and the answer of the POST): the memory the guest has now (it follows a new
 * target over a few seconds), the memory it was started with (the most the balloon can give back), and the
 * guest's own memory use when it reports it: `guestStats` `reported` (with `guest`), `waiting` (asked for, none
 * yet: the first seconds of a guest) or `not-reported` (its balloon driver gives no statistics).
 */
export const BalloonInfoSchema = z.object({
  actualMiB: z.number().int(),
  memoryMiB: z.number().int(),
  guestStats: z.enum(['reported', 'waiting', 'not-reported']),
  guest: GuestMemorySchema.optional(),
});
export type BalloonInfo = z.infer<typeof BalloonInfoSchema>;

/** The qemu command line a configuration gives (`POST /api/vms/preview`, `GET /api/vms/:id/command-line`). */
export const CommandLineSchema = z.object({
  /** argv[0] is the qemu binary. */
  argv: z.array(z.string()),
  /** The same, quoted for a POSIX shell (for reading and copying; the server never runs a shell). */
  text: z.string(),
  /** The accelerator `auto` resolves to, and why when it is TCG. */
  accel: ResolvedAccelSchema,
  accelReason: z.string().optional(),
  /** Things worth knowing, e.g. "no kernel irqchip is ignored: the guest runs under TCG". */
  notes: z.array(z.string()),
});
export type CommandLine = z.infer<typeof CommandLineSchema>;

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

/** Which engine drives a guest: `qemu-direct` (virtweb runs qemu itself) or `libvirt` (a libvirt connection's). */
export const EngineIdSchema = z.enum(['qemu-direct', 'libvirt']);
export type EngineId = z.infer<typeof EngineIdSchema>;

/** A guest's engine and the host it reaches through it (`local` for qemu-direct). */
export const EngineRefSchema = z.object({ id: EngineIdSchema, connection: z.string() });
export type EngineRef = z.infer<typeof EngineRefSchema>;

export const VmSchema = z.object({
  id: z.string(),
  name: z.string(),
  state: VmStateSchema,
  engine: EngineRefSchema,
  pid: z.number().int().optional(),
  os: OsTypeSchema,
  memoryMiB: z.number().int(),
  vcpus: z.number().int(),
  topology: CpuTopologySchema,
  /** `index`: the disk's slot (stable across hot-plug and restarts; see storage.ts). */
  /** `format` is the qemu format recorded when the disk was attached (never probed again, checked with at each start). */
  disks: z.array(
    z.object({
      image: z.string(),
      index: z.number().int(),
      format: z.string().optional(),
      bus: DiskBusSchema,
      /** Absent: the default (writeback, ignore, read-write). */
      cache: DiskCacheSchema.optional(),
      discard: DiskDiscardSchema.optional(),
      readOnly: z.boolean().optional(),
    }),
  ),
  cdrom: z.string().optional(),
  boot: BootDeviceSchema,
  kernel: KernelBootSchema.optional(),
  /** In slot order. */
  nics: NicsSchema,
  machine: MachineSchema,
  firmware: FirmwareSchema,
  noKernelIrqchip: z.boolean(),
  balloon: z.boolean(),
  clock: ClockSchema,
  /** A peer running an older virtweb sends none: its guests have the defaults. */
  devices: DevicesSchema.default(DEFAULT_DEVICES),
  /** A peer running an older virtweb sends none: its guests have no agent channel. */
  guestAgent: z.boolean().default(false),
  /** Host USB devices passed through (a peer running an older virtweb sends none). */
  usb: UsbDevicesSchema,
  /**
   * The guest's IP addresses once known (from its agent; loopback and link-local left out), while it runs.
   * See apps/server/src/agent/guest-addresses.ts for where they come from.
   */
  addresses: z.array(z.string()).optional(),
  /** While `stopping` after a shutdown: whether the guest agent or the ACPI power button was asked. */
  shutdownVia: ShutdownViaSchema.optional(),
  /** Requested accelerator. */
  accel: AccelSchema,
  /** What the running qemu uses (set while a process exists). */
  activeAccel: ResolvedAccelSchema.optional(),
  /** Why `auto` picked TCG, when it did. */
  accelReason: z.string().optional(),
  /** While it runs: devices behind the guest that failed (e.g. "the TPM emulator (swtpm) … exited …"). */
  faults: z.array(z.string()).optional(),
  /** Settings changed while qemu runs that apply at the next start (field names, e.g. `memoryMiB`). */
  pendingChanges: z.array(z.string()).optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  lastExit: VmExitSchema.optional(),
  /** Tags and notes (absent when none). */
  tags: z.array(z.string()).optional(),
  notes: z.string().optional(),
  /** Present when the guest starts with the host. */
  autostart: AutostartSchema.optional(),
});
export type Vm = z.infer<typeof VmSchema>;
