import {
  MAX_DISKS,
  OS_PRESETS,
  PRESET_DEVICES,
  type Devices,
  type DevicesRequestSchema,
  type CreateVmRequestSchema,
  type UpdateVmRequestSchema,
} from '@virtweb/protocol';
import type { z } from 'zod';
import type { DefinedDisk, VmDefinition } from './definition.ts';
import { DEFAULT_NIC_REQUEST, nicsWithDefaults } from './nic-defaults.ts';
import { withOptions } from './storage/disk-placement.ts';

type CreateRequest = z.output<typeof CreateVmRequestSchema>;
type UpdateRequest = z.output<typeof UpdateVmRequestSchema>;

/**
 * The definition a create request asks for, with what it leaves out taken from its OS preset (`OS_PRESETS`)
 * or the server defaults. Disks get the slots 0, 1, ... in list order; their formats are filled in later
 * (they need qemu-img, or the `create` of the request). NICs get MACs not in `macsInUse` (the other guests').
 */
export function definitionFromCreate(req: CreateRequest, macsInUse: ReadonlySet<string>): VmDefinition {
  const disks = req.disks.map((d, index) => ({
    image: d.image,
    index,
    ...(d.create === undefined ? {} : { format: d.create.format }),
    bus: d.bus ?? OS_PRESETS[req.os ?? 'linux'].diskBus,
    ...withOptions(d),
  }));
  return withDefaults(req, disks, macsInUse, []);
}

/**
 * The definition a `PUT /api/vms/:id` gives: the request replaces the configuration (left-out fields take the
 * defaults again), while disks that stay keep their slot and recorded format; new ones take free slots. A NIC
 * without a MAC keeps the one its slot has; a new NIC gets one not in `macsInUse` (the other guests').
 */
export function definitionFromUpdate(
  current: VmDefinition,
  req: UpdateRequest,
  macsInUse: ReadonlySet<string>,
): VmDefinition {
  const kept = new Map(current.disks.map((d) => [d.image, d]));
  const preset = OS_PRESETS[req.os ?? 'linux'];
  const used = new Set(req.disks.flatMap((d) => kept.get(d.image)?.index ?? []));
  const free = [...Array(MAX_DISKS).keys()].filter((i) => !used.has(i));
  const disks = req.disks.map((d): DefinedDisk => {
    const old = kept.get(d.image);
    const bus = d.bus ?? old?.bus ?? preset.diskBus;
    if (old) return { ...old, bus };
    // The schema allows at most MAX_DISKS disks, so a free slot is always left.
    return { image: d.image, index: free.shift() ?? MAX_DISKS, bus };
  });
  // USB devices are attached and detached by their own endpoints: a settings update keeps them.
  return { ...withDefaults(req, disks, macsInUse, current.nics), usb: current.usb };
}

function withDefaults(
  req: CreateRequest | UpdateRequest,
  disks: DefinedDisk[],
  macsInUse: ReadonlySet<string>,
  currentNics: VmDefinition['nics'],
): VmDefinition {
  const os = req.os ?? 'linux';
  const preset = OS_PRESETS[os];
  const boot =
    req.boot ??
    (req.kernel !== undefined ? 'kernel' : req.cdrom !== undefined || disks.length === 0 ? 'cdrom' : 'disk');
  return {
    name: req.name,
    os,
    memoryMiB: req.memoryMiB,
    vcpus: req.vcpus,
    topology: req.topology ?? { sockets: 1, cores: req.vcpus, threads: 1 },
    disks,
    ...(req.cdrom === undefined ? {} : { cdrom: req.cdrom }),
    boot,
    ...(req.kernel === undefined ? {} : { kernel: req.kernel }),
    accel: req.accel ?? 'auto',
    nics: nicsWithDefaults(req.nics ?? [DEFAULT_NIC_REQUEST], preset.nicModel, macsInUse, currentNics),
    machine: req.machine ?? preset.machine,
    firmware: req.firmware ?? preset.firmware,
    noKernelIrqchip: req.noKernelIrqchip ?? false,
    balloon: req.balloon ?? preset.balloon,
    clock: req.clock ?? preset.clock,
    devices: devicesWithDefaults(req.devices, PRESET_DEVICES[os]),
    guestAgent: req.guestAgent ?? preset.guestAgent,
    usb: [],
  };
}

/** The request's devices, each one it leaves out the preset's. */
function devicesWithDefaults(
  req: z.output<typeof DevicesRequestSchema> | undefined,
  preset: Devices,
): Devices {
  return {
    video: req?.video ?? preset.video,
    sound: req?.sound ?? preset.sound,
    rng: req?.rng ?? preset.rng,
    watchdog: req?.watchdog ?? preset.watchdog,
    cpuModel: req?.cpuModel ?? preset.cpuModel,
    cpuPinning: req?.cpuPinning ?? preset.cpuPinning,
    serialPorts: req?.serialPorts ?? preset.serialPorts,
    hugepages: req?.hugepages ?? preset.hugepages,
    tpm: req?.tpm ?? preset.tpm,
  };
}
