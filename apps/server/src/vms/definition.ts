import { z } from 'zod';
import {
  AccelSchema,
  BootDeviceSchema,
  ClockSchema,
  DEFAULT_DEVICES,
  DevicesSchema,
  CpuTopologySchema,
  DiskBusSchema,
  DiskCacheSchema,
  DiskDiscardSchema,
  FirmwareSchema,
  KernelBootSchema,
  MachineSchema,
  NicsSchema,
  OsTypeSchema,
  UsbDevicesSchema,
} from '@virtweb/protocol';
import { LEGACY_MAC } from './nic-defaults.ts';

// NOTE: definitions stored before disks had slots carry none: a disk's slot was its list position then. Before
// disks had a bus every disk was virtio-blk, so that is the default here (not the OS preset's bus).
const DisksSchema = z
  .array(
    z.object({
      image: z.string(),
      index: z.number().int().optional(),
      format: z.string().optional(),
      bus: DiskBusSchema.default('virtio'),
      cache: DiskCacheSchema.optional(),
      discard: DiskDiscardSchema.optional(),
      readOnly: z.boolean().optional(),
    }),
  )
  .transform((disks) =>
    disks.map(({ format, cache, discard, readOnly, ...d }, i) => ({
      image: d.image,
      index: d.index ?? i,
      ...(format === undefined ? {} : { format }),
      bus: d.bus,
      ...(cache === undefined ? {} : { cache }),
      ...(discard === undefined ? {} : { discard }),
      ...(readOnly === undefined ? {} : { readOnly }),
    })),
  );

/**
 * `ide` disks of a q35 definition as `sata`: before disks had more buses, `ide` meant q35's AHCI SATA (q35 has
 * no IDE). Returns `def` itself when nothing changes.
 */
export function sataForIdeOnQ35<T extends Record<string, unknown>>(def: T): T {
  if ((def.machine ?? 'q35') !== 'q35' || !Array.isArray(def.disks)) return def;
  const disks: unknown[] = def.disks;
  const isIde = (d: unknown) => typeof d === 'object' && d !== null && (d as { bus?: unknown }).bus === 'ide';
  if (!disks.some(isIde)) return def;
  return { ...def, disks: disks.map((d) => (isIde(d) ? { ...(d as object), bus: 'sata' } : d)) };
}

/**
 * Definitions written before NICs had a list say `network`: `'user' | 'none'` before issue 5, then one object
 * (`{ mode: 'none' }` or a mode with its model). That NIC had qemu's default MAC and slot 0. The store rewrites
 * its rows once with a unique MAC each (store/migrations.ts); this reads what it cannot reach (the definition
 * a running qemu was started with, a definition sent by an older peer).
 */
export function nicsFromNetwork(raw: unknown, mac = LEGACY_MAC): unknown[] {
  if (raw === 'none') return [];
  if (raw === 'user') return [{ mode: 'user', model: 'virtio', portForwards: [], mac, slot: 0 }];
  if (typeof raw !== 'object' || raw === null) return [raw];
  const net = raw as Record<string, unknown>;
  if (net.mode === 'none') return [];
  return [{ ...net, model: net.model ?? 'virtio', mac, slot: 0 }];
}

/**
 * Old rows have no topology: qemu's `-smp N` then, which is one socket of N cores on the machines we use. A
 * definition the store migration cannot reach (a peer's, the one a running qemu was started with) may still say
 * `ide` on q35.
 */
function migrate(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null) return raw;
  const def = raw as Record<string, unknown>;
  const vcpus = typeof def.vcpus === 'number' ? def.vcpus : 1;
  const { network, ...rest } = sataForIdeOnQ35(def);
  return {
    ...rest,
    nics: def.nics ?? nicsFromNetwork(network ?? 'user'),
    topology: def.topology ?? { sockets: 1, cores: vcpus, threads: 1 },
  };
}

/**
 * What the store keeps for a VM: the validated request with every default filled in. Rows written by older
 * servers are migrated when read (the defaults here are what those servers gave qemu, not today's presets).
 */
export const VmDefinitionSchema = z.preprocess(
  migrate,
  z.object({
    name: z.string(),
    os: OsTypeSchema.default('linux'),
    memoryMiB: z.number().int(),
    vcpus: z.number().int(),
    topology: CpuTopologySchema,
    /**
     * In boot order; `index` is the disk's slot (qemu node `disk<index>`), kept for the disk's life. `format`
     * is recorded when the disk is attached and never probed again: a guest that writes a qcow2 header (with
     * a backing file such as /etc/shadow) into its raw disk must not change how qemu opens it next time.
     */
    disks: DisksSchema,
    cdrom: z.string().optional(),
    boot: BootDeviceSchema,
    kernel: KernelBootSchema.optional(),
    accel: AccelSchema,
    /** In slot order; `[]`: no network. */
    nics: NicsSchema,
    machine: MachineSchema.default('q35'),
    firmware: FirmwareSchema.default('bios'),
    noKernelIrqchip: z.boolean().default(false),
    balloon: z.boolean().default(false),
    clock: ClockSchema.default('utc'),
    /** Rows from before these settings: what qemu was given then (standard VGA, nothing else). */
    devices: DevicesSchema.default(DEFAULT_DEVICES),
    /** Rows from before the guest agent had a channel: none. */
    guestAgent: z.boolean().default(false),
    /** Host USB devices passed through, in slot order (rows from before: none). */
    usb: UsbDevicesSchema,
  }),
);
export type VmDefinition = z.output<typeof VmDefinitionSchema>;
export type DefinedDisk = VmDefinition['disks'][number];
