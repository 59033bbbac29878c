import { isDeepStrictEqual } from 'node:util';
import type { VmDefinition } from './definition.ts';

/**
 * Fields whose change waits for the next start. Not here: the name (only the server shows it) and the CD
 * (changed live through the Storage endpoints, so the running qemu always has it). NICs, USB devices and disks
 * are here: a hot-plug or unplug (or a NIC's link change) updates what the running qemu has (`launched`) as
 * well, while a SATA/IDE disk added to a running guest, or a disk's new cache mode, waits for the next start.
 */
const RESTART_FIELDS = [
  'os',
  'memoryMiB',
  'vcpus',
  'topology',
  'boot',
  'kernel',
  'accel',
  'nics',
  'disks',
  'machine',
  'firmware',
  'noKernelIrqchip',
  'balloon',
  'clock',
  'devices',
  'guestAgent',
  'usb',
] as const satisfies readonly (keyof VmDefinition)[];

/** The settings of `current` that differ from what the running qemu was `launched` with. */
export function pendingChanges(launched: VmDefinition, current: VmDefinition): string[] {
  return RESTART_FIELDS.filter((f) => !isDeepStrictEqual(launched[f], current[f]));
}

/** Whether two disk lists are the same disks on the same buses in the same order (slots and formats aside). */
export function sameDisks(a: VmDefinition['disks'], b: readonly { image: string; bus: string }[]): boolean {
  return a.length === b.length && a.every((d, i) => d.image === b[i]?.image && d.bus === b[i].bus);
}
