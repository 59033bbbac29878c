// Disks, the CD drive and their boot order: where they plug in, and the controllers their buses need.
import { isAbsolute } from 'node:path';
import {
  DISK_BUSES,
  DISK_CACHES,
  DISK_DISCARDS,
  PC_AHCI,
  SCSI_CONTROLLER,
  diskBlockdevs,
  diskDeviceProps,
  diskIds,
  scsiControllerProps,
  type DiskBus,
  type DiskOptionsSpec,
  type Machine,
} from './argv-disk-devices.ts';
import { deviceOpt, escapeOptValue, isOneOf, type Fail } from './argv-opts.ts';
import { DISK_SLOTS, type VmSpec } from './spec.ts';

export { diskBus, diskIds, type DiskBus, type Machine } from './argv-disk-devices.ts';

/** qemu's names for the CD drive: HMP and legacy commands use the drive, QMP `id` the device. */
export const CDROM_IDS = { drive: 'ide1-cd0', device: 'cd0' } as const;

// NOTE: the CD drive sits on ide.1 unit 0 on both machines. pc's PIIX IDE has two buses of two units (master,
// slave); q35's ICH9 AHCI has six ports ide.0..ide.5 of one unit each (qemu 7.2: "Can't create IDE unit 1,
// bus supports only 1 units"); the AHCI added to pc for SATA disks has sata0.0..sata0.5. IDE/SATA devices
// cannot be hot-plugged on any of them.
const POSITIONS: Record<Machine, Partial<Record<DiskBus, readonly { bus: string; unit: number }[]>>> = {
  pc: {
    ide: [
      { bus: 'ide.0', unit: 0 },
      { bus: 'ide.0', unit: 1 },
      { bus: 'ide.1', unit: 1 },
    ],
    sata: [0, 1, 2, 3, 4, 5].map((n) => ({ bus: `${PC_AHCI.id}.${n}`, unit: 0 })),
  },
  q35: { sata: ['ide.0', 'ide.2', 'ide.3', 'ide.4', 'ide.5'].map((bus) => ({ bus, unit: 0 })) },
};

// NOTE: qemu-xhci has four USB 2 ports (p2=4) and usb-storage is a USB 2 device; the tablet takes one.
const USB_DISK_ROOM = 3;

/**
 * The positions left for `sata` (q35: the built-in AHCI besides the CD; pc: the added AHCI) or `ide` (pc) disks,
 * in the order disks take them (sorted by slot index). Empty for a bus the machine lacks (IDE on q35). Default:
 * the emulated bus of old definitions, IDE on pc and SATA on q35.
 */
export function ideDiskPositions(
  machine: Machine,
  bus: 'sata' | 'ide' = machine === 'pc' ? 'ide' : 'sata',
): readonly { bus: string; unit: number }[] {
  return POSITIONS[machine][bus] ?? [];
}

/**
 * How many disks of `bus` the machine has room for: SATA pc 6, q35 5 (besides the CD); IDE pc 3, q35 0; USB 3;
 * virtio and SCSI as many as there are slots.
 */
export function diskBusCapacity(machine: Machine, bus: DiskBus): number {
  if (bus === 'sata' || bus === 'ide') return ideDiskPositions(machine, bus).length;
  return bus === 'usb' ? USB_DISK_ROOM : DISK_SLOTS;
}

/** How many `ide` (pc) / `sata` (q35) disks a machine has room for besides the CD drive: pc 3, q35 5. */
export function ideDiskCapacity(machine: Machine): number {
  return diskBusCapacity(machine, machine === 'pc' ? 'ide' : 'sata');
}

/**
 * The q35 PCIe root ports, one per disk slot so virtio disks can be hot-plugged into free slots, and one for
 * the virtio-scsi controller (hot-plugged with the first SCSI disk of a running guest).
 */
export function rootPortArgs(): string[] {
  // NOTE: every root port needs a unique (chassis, slot) pair; slot defaults to 0, so the chassis differs.
  return Array.from({ length: DISK_SLOTS }, (_, i) => [
    '-device',
    `pcie-root-port,id=${diskIds(i).port},chassis=${i + 1}`,
  ]).flat();
}

/**
 * The q35 root port of the virtio-scsi controller, there even without SCSI disks: the controller is hot-plugged
 * with the first SCSI disk of a running guest. After the NICs' ports, so theirs keep their chassis numbers.
 */
export function scsiRootPortArgs(): string[] {
  return ['-device', `pcie-root-port,id=${SCSI_CONTROLLER.port},chassis=${SCSI_CONTROLLER.chassis}`];
}

interface SlottedDisk extends DiskOptionsSpec {
  kind: 'disk';
  index: number;
  path: string;
  format: string;
  bus: DiskBus;
}
type BootDevice = SlottedDisk | { kind: 'cdrom'; path?: string };

function slottedDisks(spec: VmSpec): SlottedDisk[] {
  return spec.disks.map((d, i) => ({ ...d, kind: 'disk', index: d.index ?? i, bus: d.bus ?? 'virtio' }));
}

/** The controllers the disks' buses need besides what the machine has: virtio-scsi, pc's AHCI. */
export function diskControllerArgs(spec: VmSpec, machine: Machine): string[] {
  const buses = new Set(spec.disks.map((d) => d.bus ?? 'virtio'));
  return [
    ...(buses.has('scsi') ? ['-device', deviceOpt(scsiControllerProps(machine))] : []),
    ...(buses.has('sata') && machine === 'pc' ? ['-device', deviceOpt(PC_AHCI)] : []),
  ];
}

/**
 * `-blockdev`/`-drive` and `-device` arguments of the disks and the CD drive, in boot order. `firstBootindex`
 * is 1 under direct kernel boot: qemu gives the kernel's option ROM bootindex 0.
 */
export function bootDeviceArgs(spec: VmSpec, machine: Machine, firstBootindex: number): string[] {
  const disks = slottedDisks(spec);
  const positions = new Map<number, { bus: string; unit: number } | undefined>();
  for (const bus of ['sata', 'ide'] as const) {
    disks
      .filter((d) => d.bus === bus)
      .sort((a, b) => a.index - b.index)
      .forEach((d, i) => positions.set(d.index, ideDiskPositions(machine, bus)[i]));
  }
  const cd: BootDevice[] = [{ kind: 'cdrom', ...(spec.cdrom === undefined ? {} : { path: spec.cdrom }) }];
  // Boot order is bootindex (0 first); `-boot order=` only applies to legacy -drive if=ide devices. The CD
  // drive has a bootindex even when empty, so media inserted later boots after a reset, as on a real PC.
  const ordered = spec.boot === 'cdrom' ? [...cd, ...disks] : [...disks, ...cd];
  return ordered.flatMap((dev, i) => {
    const bootindex = firstBootindex + i;
    if (dev.kind === 'cdrom') return cdromArgs(dev.path, bootindex);
    // NOTE: the JSON form of -blockdev takes the filename as a JSON string, so paths need no comma escaping.
    const nodes = diskBlockdevs(dev.index, dev.path, dev.format, dev).flatMap((n) => [
      '-blockdev',
      JSON.stringify(n),
    ]);
    const device = diskDeviceProps(machine, dev.index, dev.bus, dev, positions.get(dev.index));
    return [...nodes, '-device', deviceOpt({ ...device, bootindex })];
  });
}

function cdromArgs(path: string | undefined, bootindex: number): string[] {
  // NOTE: `ide1-cd0` is the id `-cdrom` gives its drive on the pc machine. A named -drive (not an anonymous
  // -blockdev BlockBackend) is what HMP `change ide1-cd0 x.iso` and `eject ide1-cd0` can address, so CD
  // swapping works the same on q35 and pc. Bus `ide.1` exists on both: q35's ich9-ahci has ide.0..ide.5,
  // pc's piix IDE has ide.0 and ide.1 (checked against qemu 7.2 with `info qtree`).
  // format=raw: an ISO is never probed (a guest-written image probed as qcow2 could name a host file as its
  // backing file). qemu 7.2 refuses format= on a drive without a file, so the empty drive has neither.
  const media = path === undefined ? '' : `,format=raw,file=${escapeOptValue(path)}`;
  return [
    ...['-drive', `if=none,id=${CDROM_IDS.drive},media=cdrom,readonly=on${media}`],
    ...['-device', `ide-cd,drive=${CDROM_IDS.drive},bus=ide.1,id=${CDROM_IDS.device},bootindex=${bootindex}`],
  ];
}

/** Disk paths, formats, unique slots, buses the machine has with room on them, and the disks' options. */
export function validateDisks(spec: VmSpec, machine: Machine, fail: Fail): void {
  // qemu would resolve relative paths against its own working directory, which is nobody's intent.
  const slots = new Set<number>();
  spec.disks.forEach((d, i) => {
    if (!isAbsolute(d.path)) fail(`disk path is not absolute: ${d.path}`);
    if (!/^[a-z0-9_-]+$/.test(d.format)) fail(`disk format is not a block driver name: ${d.format}`);
    const slot = d.index ?? i;
    if (!Number.isInteger(slot) || slot < 0 || slot >= DISK_SLOTS)
      fail(`disk index must be an integer from 0 to ${DISK_SLOTS - 1}: ${slot}`);
    if (slots.has(slot)) fail(`two disks have index ${slot}`);
    slots.add(slot);
    if (d.bus !== undefined && !isOneOf(d.bus, DISK_BUSES))
      fail(`disk bus must be one of ${DISK_BUSES.join(', ')}: ${d.bus}`);
    if (d.cache !== undefined && !isOneOf(d.cache, DISK_CACHES))
      fail(`disk cache must be one of ${DISK_CACHES.join(', ')}: ${d.cache}`);
    if (d.discard !== undefined && !isOneOf(d.discard, DISK_DISCARDS))
      fail(`disk discard must be one of ${DISK_DISCARDS.join(', ')}: ${d.discard}`);
    if (d.readOnly === true && (d.bus === 'sata' || d.bus === 'ide'))
      fail(`a ${d.bus} disk cannot be read-only (qemu's ide-hd refuses a read-only node): disk ${slot}`);
    if (d.bus === 'usb' && (d.cache === 'writethrough' || d.cache === 'directsync'))
      fail(`a usb disk cannot write through (usb-storage ignores write-cache=off): disk ${slot}`);
  });
  if (machine === 'q35' && spec.disks.some((d) => d.bus === 'ide'))
    fail('the q35 machine has no IDE controller: use sata (or the pc machine)');
  for (const bus of DISK_BUSES) {
    const n = spec.disks.filter((d) => (d.bus ?? 'virtio') === bus).length;
    const room = diskBusCapacity(machine, bus);
    if (n > room) {
      const cd = bus === 'sata' || bus === 'ide' ? ' besides the CD' : '';
      fail(`the ${machine} machine has room for ${room} ${bus.toUpperCase()} disks${cd}, not ${n}`);
    }
  }
  if (spec.cdrom !== undefined && !isAbsolute(spec.cdrom)) fail(`cdrom path is not absolute: ${spec.cdrom}`);
}
