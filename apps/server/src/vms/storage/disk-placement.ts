import { isDeepStrictEqual } from 'node:util';
import {
  DEFAULT_DISK_CACHE,
  DEFAULT_DISK_DISCARD,
  DISK_BUS_LABELS,
  ErrorCode,
  MAX_DISKS,
  diskBusProblem,
  diskOptionsProblem,
  type DiskBus,
  type DiskOptions,
  type VmDisk,
} from '@virtweb/protocol';
import { diskBusCapacity, diskIds } from '@virtweb/qemu';
import { Conflict, Invalid } from '../../domain/errors.ts';
import type { DefinedDisk, VmDefinition } from '../definition.ts';

/**
 * The lowest free slot for a new disk on `bus` with `options`, after checking that the machine has the bus, room
 * on it, and that the options suit it.
 * @throws Invalid (bus the machine lacks, options the bus refuses; each with its field), Conflict (no slot or
 *   port left)
 */
export function slotForNewDisk(def: VmDefinition, bus: DiskBus, options: DiskOptions): number {
  const busProblem = diskBusProblem(bus, def.machine);
  if (busProblem !== undefined) throw new Invalid(busProblem, [{ path: 'bus', message: busProblem }]);
  assertOptionsFit(bus, options);
  const used = new Set(def.disks.map((d) => d.index));
  const index = [...Array(MAX_DISKS).keys()].find((i) => !used.has(i));
  if (index === undefined) throw new Conflict(ErrorCode.conflict, `all ${MAX_DISKS} disk slots are in use`);
  const room = diskBusCapacity(def.machine, bus);
  if (def.disks.filter((d) => d.bus === bus).length >= room) {
    const where = bus === 'sata' || bus === 'ide' ? ' besides the CD' : '';
    throw new Conflict(
      ErrorCode.conflict,
      `the ${def.machine} machine has no ${DISK_BUS_LABELS[bus]} port left (${room}${where}): use virtio`,
    );
  }
  return index;
}

/** @throws Invalid naming the option (`cache`, `readOnly`) the bus refuses */
export function assertOptionsFit(bus: DiskBus, options: DiskOptions): void {
  const problem = diskOptionsProblem(bus, options);
  if (problem !== undefined)
    throw new Invalid(problem.message, [{ path: problem.field, message: problem.message }]);
}

/** A disk as stored: only the options asked for (left-out ones stay qemu's defaults). */
export function definedDisk(
  image: string,
  index: number,
  format: string,
  bus: DiskBus,
  options: DiskOptions,
): DefinedDisk {
  return { image, index, format, bus, ...withOptions(options) };
}

/**
 * `options` as stored: only those that differ from the defaults, so a disk set back to writeback is the disk
 * qemu was started with (nothing pending).
 */
export function withOptions(options: DiskOptions): DiskOptions {
  return {
    ...(options.cache === undefined || options.cache === DEFAULT_DISK_CACHE ? {} : { cache: options.cache }),
    ...(options.discard === undefined || options.discard === DEFAULT_DISK_DISCARD
      ? {}
      : { discard: options.discard }),
    ...(options.readOnly === true ? { readOnly: true } : {}),
  };
}

/** Disk `d` with `patch`'s options over its own (each left out stays). */
export function patchedDisk(d: DefinedDisk, patch: DiskOptions): DefinedDisk {
  const { cache, discard, readOnly, ...rest } = d;
  const merged = { cache, discard, readOnly };
  if (patch.cache !== undefined) merged.cache = patch.cache;
  if (patch.discard !== undefined) merged.discard = patch.discard;
  if (patch.readOnly !== undefined) merged.readOnly = patch.readOnly;
  return { ...rest, ...withOptions(merged) };
}

/**
 * A stored disk as the API shows it. `launched` (the disks the running qemu has; undefined while stopped) makes
 * `pending` say whether the disk waits for the next start.
 */
export function diskView(
  d: DefinedDisk,
  facts: { format: string; virtualSize: number } | undefined,
  launched: readonly DefinedDisk[] | undefined,
): VmDisk {
  const ids = diskIds(d.index, d.bus);
  const running = launched?.find((l) => l.index === d.index);
  return {
    index: d.index,
    image: d.image,
    ...(facts ? { format: facts.format, virtualSize: facts.virtualSize } : {}),
    device: ids.device,
    node: ids.node,
    bus: d.bus,
    cache: d.cache ?? DEFAULT_DISK_CACHE,
    discard: d.discard ?? DEFAULT_DISK_DISCARD,
    readOnly: d.readOnly ?? false,
    ...(launched === undefined ? {} : { pending: !isDeepStrictEqual(running, d) }),
  };
}
