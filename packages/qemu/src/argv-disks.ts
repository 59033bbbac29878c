// Disks, the CD drive and their boot order: qemu's names for them and where they plug in.
import { isAbsolute } from 'node:path';
import { escapeOptValue, isOneOf, type Fail } from './argv-opts.ts';
import { DISK_SLOTS, type VmSpec } from './spec.ts';

export type DiskBus = 'virtio' | 'ide';
export type Machine = 'q35' | 'pc';

/** qemu's names for the CD drive: HMP and legacy commands use the drive, QMP `id` the device. */
export const CDROM_IDS = { drive: 'ide1-cd0', device: 'cd0' } as const;

/**
 * qemu's names for disk slot `index`: file and format nodes, the guest device (`virtio-disk<N>` or
 * `ide-disk<N>`, by `bus`) and the PCIe root port reserved for the slot on q35 (used by virtio disks only).
 */
export function diskIds(
  index: number,
  bus: DiskBus = 'virtio',
): { file: string; node: string; device: string; port: string } {
  return {
    file: `disk${index}-file`,
    node: `disk${index}`,
    device: `${bus}-disk${index}`,
    port: `disk${index}-port`,
  };
}

/**
 * Where the virtio-blk device of disk slot `index` plugs in, fixed per slot so a guest sees the same PCI
 * topology after a restart: on q35 its own PCIe root port (`pcie.0` itself does not take hot-plugged devices),
 * on pc a fixed slot of `pci.0` (ACPI hot-plug), 0x10 + index.
 */
export function diskBus(machine: Machine, index: number): { bus: string; addr?: string } {
  if (machine === 'q35') return { bus: diskIds(index).port };
  return { bus: 'pci.0', addr: `0x${(0x10 + index).toString(16)}` };
}

// NOTE: the CD drive sits on ide.1 unit 0 on both machines. pc's PIIX IDE has two buses of two units (master,
// slave); q35's ICH9 AHCI has six ports ide.0..ide.5 of one unit each (qemu 7.2: "Can't create IDE unit 1,
// bus supports only 1 units"). IDE devices cannot be hot-plugged on either.
const IDE_POSITIONS: Record<Machine, readonly { bus: string; unit: number }[]> = {
  pc: [
    { bus: 'ide.0', unit: 0 },
    { bus: 'ide.0', unit: 1 },
    { bus: 'ide.1', unit: 1 },
  ],
  q35: ['ide.0', 'ide.2', 'ide.3', 'ide.4', 'ide.5'].map((bus) => ({ bus, unit: 0 })),
};

/**
 * The IDE (pc) / SATA (q35) positions left for disks besides the CD drive, in the order disks take them
 * (IDE disks sorted by slot index).
 */
export function ideDiskPositions(machine: Machine): readonly { bus: string; unit: number }[] {
  return IDE_POSITIONS[machine];
}

/** How many `bus: 'ide'` disks a machine has room for besides the CD drive: pc 3, q35 5. */
export function ideDiskCapacity(machine: Machine): number {
  return IDE_POSITIONS[machine].length;
}

/** The q35 PCIe root ports, one per disk slot, so virtio disks can be hot-plugged into free slots. */
export function rootPortArgs(): string[] {
  // NOTE: every root port needs a unique (chassis, slot) pair; slot defaults to 0, so the chassis differs.
  return Array.from({ length: DISK_SLOTS }, (_, i) => [
    '-device',
    `pcie-root-port,id=${diskIds(i).port},chassis=${i + 1}`,
  ]).flat();
}

interface SlottedDisk {
  kind: 'disk';
  index: number;
  path: string;
  format: string;
  bus: DiskBus;
}
type BootDevice = SlottedDisk | { kind: 'cdrom'; path?: string };

function slottedDisks(spec: VmSpec): SlottedDisk[] {
  return spec.disks.map((d, i) => ({
    kind: 'disk',
    index: d.index ?? i,
    path: d.path,
    format: d.format,
    bus: d.bus ?? 'virtio',
  }));
}

/**
 * `-blockdev`/`-drive` and `-device` arguments of the disks and the CD drive, in boot order. `firstBootindex`
 * is 1 under direct kernel boot: qemu gives the kernel's option ROM bootindex 0.
 */
export function bootDeviceArgs(spec: VmSpec, machine: Machine, firstBootindex: number): string[] {
  const disks = slottedDisks(spec);
  const idePositions = new Map(
    disks
      .filter((d) => d.bus === 'ide')
      .sort((a, b) => a.index - b.index)
      .map((d, i) => [d.index, IDE_POSITIONS[machine][i]] as const),
  );
  const cd: BootDevice[] = [{ kind: 'cdrom', ...(spec.cdrom === undefined ? {} : { path: spec.cdrom }) }];
  // Boot order is bootindex (0 first); `-boot order=` only applies to legacy -drive if=ide devices. The CD
  // drive has a bootindex even when empty, so media inserted later boots after a reset, as on a real PC.
  const ordered = spec.boot === 'cdrom' ? [...cd, ...disks] : [...disks, ...cd];
  return ordered.flatMap((dev, i) => {
    const bootindex = firstBootindex + i;
    if (dev.kind === 'cdrom') return cdromArgs(dev.path, bootindex);
    if (dev.bus === 'virtio') return [...blockdevArgs(dev), ...virtioDiskArgs(dev, machine, bootindex)];
    const at = idePositions.get(dev.index);
    if (at === undefined) throw new Error(`no IDE position for disk ${dev.index}`); // validateDisks prevents it
    return [...blockdevArgs(dev), ...ideDiskArgs(dev, at, bootindex)];
  });
}

function blockdevArgs(disk: SlottedDisk): string[] {
  const ids = diskIds(disk.index, disk.bus);
  // NOTE: the JSON form of -blockdev takes the filename as a JSON string, so paths need no comma escaping.
  return [
    ...['-blockdev', JSON.stringify({ driver: 'file', filename: disk.path, 'node-name': ids.file })],
    ...['-blockdev', JSON.stringify({ driver: disk.format, file: ids.file, 'node-name': ids.node })],
  ];
}

function virtioDiskArgs(disk: SlottedDisk, machine: Machine, bootindex: number): string[] {
  const ids = diskIds(disk.index, 'virtio');
  const { bus, addr } = diskBus(machine, disk.index);
  const at = addr === undefined ? `bus=${bus}` : `bus=${bus},addr=${addr}`;
  return ['-device', `virtio-blk-pci,drive=${ids.node},id=${ids.device},${at},bootindex=${bootindex}`];
}

function ideDiskArgs(disk: SlottedDisk, at: { bus: string; unit: number }, bootindex: number): string[] {
  const ids = diskIds(disk.index, 'ide');
  return [
    '-device',
    `ide-hd,drive=${ids.node},id=${ids.device},bus=${at.bus},unit=${at.unit},bootindex=${bootindex}`,
  ];
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

/** Disk paths, formats, unique slots, and room on the IDE controller. */
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
    if (d.bus !== undefined && !isOneOf(d.bus, ['virtio', 'ide']))
      fail(`disk bus must be virtio or ide: ${d.bus}`);
  });
  const ide = spec.disks.filter((d) => d.bus === 'ide').length;
  if (ide > ideDiskCapacity(machine))
    fail(
      `the ${machine} machine has room for ${ideDiskCapacity(machine)} IDE disks besides the CD, not ${ide}` +
        (machine === 'pc' ? ' (q35 has room for 5)' : ''),
    );
  if (spec.cdrom !== undefined && !isAbsolute(spec.cdrom)) fail(`cdrom path is not absolute: ${spec.cdrom}`);
}
