import { z } from 'zod';

/**
 * Where a disk plugs in (virt-manager's "Bus type"). `virtio`: virtio-blk, fast, needs guest drivers. `scsi`: a
 * scsi-hd on one virtio-scsi controller (discard/TRIM, many disks). `sata`: AHCI (q35's built-in controller, an
 * added one on pc), works anywhere. `ide`: the PIIX IDE of the pc machine (q35 has none). `usb`: usb-storage on
 * the guest's xHCI controller.
 */
export const DiskBusSchema = z.enum(['virtio', 'scsi', 'sata', 'ide', 'usb']);
export type DiskBus = z.infer<typeof DiskBusSchema>;

/** How a bus is called in the UI. */
export const DISK_BUS_LABELS: Record<DiskBus, string> = {
  virtio: 'VirtIO',
  scsi: 'VirtIO SCSI',
  sata: 'SATA',
  ide: 'IDE',
  usb: 'USB',
};

/** The buses a running guest can take a disk on (and give it back): SATA and IDE wait for the next start. */
export const HOTPLUG_DISK_BUSES: readonly DiskBus[] = ['virtio', 'scsi', 'usb'];

/**
 * The host page cache between the guest and the image (qemu's `cache=`). `writeback` (qemu's default and what
 * a disk gets when it says nothing): host cache, guest flushes honoured. `none`: O_DIRECT, no host cache.
 * `writethrough`: every write flushed. `directsync`: O_DIRECT and every write flushed. `unsafe`: flushes
 * ignored (fast, loses data on a host crash).
 */
export const DiskCacheSchema = z.enum(['writeback', 'none', 'writethrough', 'directsync', 'unsafe']);
export type DiskCache = z.infer<typeof DiskCacheSchema>;
export const DEFAULT_DISK_CACHE: DiskCache = 'writeback';

/** The guest's discard/TRIM: `unmap` gives the blocks back to the image (it shrinks), `ignore` drops it. */
export const DiskDiscardSchema = z.enum(['ignore', 'unmap']);
export type DiskDiscard = z.infer<typeof DiskDiscardSchema>;
export const DEFAULT_DISK_DISCARD: DiskDiscard = 'ignore';

/** A disk's options; each left out is the default (writeback, ignore, read-write). */
export const DiskOptionsSchema = z.strictObject({
  cache: DiskCacheSchema.optional(),
  discard: DiskDiscardSchema.optional(),
  readOnly: z.boolean().optional(),
});
export type DiskOptions = z.infer<typeof DiskOptionsSchema>;

/** Why `bus` cannot be used on `machine` (a message naming both), or undefined when it can. */
export function diskBusProblem(bus: DiskBus, machine: 'q35' | 'pc'): string | undefined {
  if (bus === 'ide' && machine === 'q35') {
    return 'the q35 machine has no IDE controller: use SATA (or the pc machine for IDE)';
  }
  return undefined;
}

/** Which option cannot be used on `bus` and why (a message naming both), or undefined when they can. */
export function diskOptionsProblem(
  bus: DiskBus,
  options: DiskOptions,
): { field: 'readOnly' | 'cache'; message: string } | undefined {
  // NOTE: qemu 7.2's ide-hd refuses a read-only node ("Block node is read-only"), on PIIX and AHCI alike.
  if (options.readOnly === true && (bus === 'sata' || bus === 'ide')) {
    const message = `a ${DISK_BUS_LABELS[bus]} disk cannot be read-only (qemu's IDE/SATA disks refuse it): use VirtIO, SCSI or USB`;
    return { field: 'readOnly', message };
  }
  // NOTE: qemu 7.2's usb-storage keeps write-cache=off to itself: the SCSI disk inside it still caches writes.
  if (bus === 'usb' && (options.cache === 'writethrough' || options.cache === 'directsync')) {
    const message = `qemu's USB disks cannot write through (cache ${options.cache}): use none, writeback or unsafe, or another bus`;
    return { field: 'cache', message };
  }
  return undefined;
}
