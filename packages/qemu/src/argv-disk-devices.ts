// What one disk is to qemu: its two block nodes (with cache, discard, read-only) and its device on its bus,
// as records that serve `-blockdev`/`-device` at start and `blockdev-add`/`device_add` for hot-plug alike.
import type { DeviceProps } from './argv-opts.ts';
import { DISK_SLOTS, type DiskBus, type DiskCache, type DiskDiscard, type DiskOptionsSpec } from './spec.ts';

export type { DiskBus, DiskCache, DiskDiscard, DiskOptionsSpec } from './spec.ts';
export type Machine = 'q35' | 'pc';

export const DISK_BUSES: readonly DiskBus[] = ['virtio', 'scsi', 'sata', 'ide', 'usb'];
export const DISK_CACHES: readonly DiskCache[] = [
  'writeback',
  'none',
  'writethrough',
  'directsync',
  'unsafe',
];
export const DISK_DISCARDS: readonly DiskDiscard[] = ['ignore', 'unmap'];

/**
 * qemu's names for disk slot `index`: file and format nodes, the guest device (`<bus>-disk<N>`) and the PCIe
 * root port reserved for the slot on q35 (used by virtio disks only).
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

/**
 * The one virtio-scsi controller of the guest's `scsi` disks, at a fixed place so it can be hot-plugged when
 * the first SCSI disk comes to a running guest: on q35 its own root port (always there), on pc slot 0x0e.
 */
export const SCSI_CONTROLLER = { id: 'scsi0', port: 'scsi0-port', chassis: 2 * DISK_SLOTS + 1 } as const;

export function scsiControllerProps(machine: Machine): DeviceProps {
  const at: Record<string, string> =
    machine === 'q35' ? { bus: SCSI_CONTROLLER.port } : { bus: 'pci.0', addr: '0x0e' };
  return { driver: 'virtio-scsi-pci', id: SCSI_CONTROLLER.id, ...at };
}

/** The AHCI controller the pc machine gets for `sata` disks (q35 has one built in, its ports are `ide.N`). */
export const PC_AHCI = { driver: 'ahci', id: 'sata0', bus: 'pci.0', addr: '0x0f' } as const;

// NOTE: qemu's `cache=` of -drive is three settings: O_DIRECT on the file (cache.direct), flushes ignored
// (cache.no-flush), and the device's volatile write cache (write-cache=off: every write is flushed). -blockdev
// and the devices take them one by one. cache.direct needs O_DIRECT, which some file systems (tmpfs before
// Linux 6.6) refuse: qemu then fails to open the file with "Invalid argument" (the server checks first).
const CACHE_MODES: Record<DiskCache, { direct: boolean; noFlush: boolean; writeCache: boolean }> = {
  writeback: { direct: false, noFlush: false, writeCache: true },
  none: { direct: true, noFlush: false, writeCache: true },
  writethrough: { direct: false, noFlush: false, writeCache: false },
  directsync: { direct: true, noFlush: false, writeCache: false },
  unsafe: { direct: false, noFlush: true, writeCache: true },
};

/** Whether the cache mode opens the image with O_DIRECT. */
export function cacheNeedsDirectIo(cache: DiskCache | undefined): boolean {
  return cache !== undefined && CACHE_MODES[cache].direct;
}

/**
 * The file and format nodes of disk slot `index` (`-blockdev` JSON / `blockdev-add` arguments). Options at
 * their defaults are left out, so qemu sees what it saw before disks had options. Both nodes carry them: a
 * node made on its own inherits nothing from the node above it.
 */
export function diskBlockdevs(
  index: number,
  path: string,
  format: string,
  opts: DiskOptionsSpec,
): [Record<string, unknown>, Record<string, unknown>] {
  const ids = diskIds(index);
  const mode = CACHE_MODES[opts.cache ?? 'writeback'];
  const common = {
    ...(mode.direct || mode.noFlush ? { cache: { direct: mode.direct, 'no-flush': mode.noFlush } } : {}),
    ...(opts.discard === 'unmap' ? { discard: 'unmap' } : {}),
    ...(opts.readOnly === true ? { 'read-only': true } : {}),
  };
  return [
    { driver: 'file', filename: path, 'node-name': ids.file, ...common },
    { driver: format, file: ids.file, 'node-name': ids.node, ...common },
  ];
}

/**
 * The device of disk slot `index` on a hot-pluggable bus or at an IDE/SATA position (`at`), as `device_add`
 * properties (the `-device` option is the same list).
 */
export function diskDeviceProps(
  machine: Machine,
  index: number,
  bus: DiskBus,
  opts: DiskOptionsSpec,
  at?: { bus: string; unit: number },
): DeviceProps {
  const ids = diskIds(index, bus);
  const base = { drive: ids.node, id: ids.device };
  const writeCache: Record<string, string> = CACHE_MODES[opts.cache ?? 'writeback'].writeCache
    ? {}
    : { 'write-cache': 'off' };
  switch (bus) {
    case 'virtio':
      return { driver: 'virtio-blk-pci', ...base, ...diskBus(machine, index), ...writeCache };
    // NOTE: one target per slot (scsi-id = slot, LUN 0): the guest finds a disk at the same address after a
    // restart, whatever was plugged or unplugged in between.
    case 'scsi':
      return {
        driver: 'scsi-hd',
        ...base,
        bus: `${SCSI_CONTROLLER.id}.0`,
        'scsi-id': index,
        lun: 0,
        ...writeCache,
      };
    // NOTE: qemu 7.2's usb-storage takes write-cache= but keeps it to itself (its inner SCSI disk still caches):
    // USB disks refuse writethrough and directsync (validateDisks).
    case 'usb':
      return { driver: 'usb-storage', ...base, bus: 'usb.0' };
    case 'sata':
    case 'ide':
      if (at === undefined) throw new RangeError(`no ${bus} position for disk ${index}`);
      return { driver: 'ide-hd', ...base, bus: at.bus, unit: at.unit, ...writeCache };
  }
}
