import { isDeepStrictEqual } from 'node:util';
import { formatBytes } from '@virtweb/protocol';
import { z } from 'zod';
import type { VmDefinition } from '../definition.ts';

const DiskFactsSchema = z.object({
  index: z.number().int(),
  image: z.string(),
  format: z.string(),
  bus: z.string(),
  virtualSize: z.number(),
});
export type DiskFacts = z.infer<typeof DiskFactsSchema>;

/**
 * What virtweb records when it takes a snapshot: the disks it was taken on and, for a snapshot with RAM, the
 * hardware of the qemu whose device state it holds. A revert compares them with now before touching anything.
 */
export const SnapshotFactsSchema = z.object({
  /** The snapshot's date as its disks say: facts of an older snapshot of the same name are not its facts. */
  date: z.string().optional(),
  withRam: z.boolean(),
  disks: z.array(DiskFactsSchema),
  hardware: z.record(z.string(), z.unknown()).optional(),
});
export type SnapshotFacts = z.infer<typeof SnapshotFactsSchema>;

/**
 * The settings of a running qemu that shape the device state a live snapshot saves (a snapshot of one
 * machine cannot be loaded into another). Not here: the name, boot order, kernel and the CD's medium (the
 * drive is always there), and port forwards (outside the guest).
 */
export function hardwareOf(launched: VmDefinition, accel: string): Record<string, unknown> {
  return {
    machine: launched.machine,
    firmware: launched.firmware,
    memoryMiB: launched.memoryMiB,
    vcpus: launched.vcpus,
    topology: launched.topology,
    nic: nicFacts(launched.nics),
    balloon: launched.balloon,
    clock: launched.clock,
    noKernelIrqchip: launched.noKernelIrqchip,
    devices: launched.devices,
    guestAgent: launched.guestAgent,
    accel,
  };
}

/**
 * Everything that differs between a snapshot (`then`) and the VM now, in words: disks attached or detached
 * since, another image, format, bus or size in a slot, and (for a live revert of a snapshot with RAM) the
 * hardware. Empty: the revert may go ahead.
 */
export function snapshotDifferences(
  then: SnapshotFacts,
  now: { disks: DiskFacts[]; hardware?: Record<string, unknown> },
): string[] {
  const out: string[] = [];
  for (const old of then.disks) {
    const cur = now.disks.find((d) => d.index === old.index);
    const label = `disk ${old.index} (${old.image})`;
    if (!cur) out.push(`${label} was detached since the snapshot`);
    else if (cur.image !== old.image)
      out.push(`disk ${old.index} is ${cur.image} now, ${old.image} in the snapshot`);
    else {
      if (cur.format !== old.format) out.push(`${label} is ${cur.format} now, ${old.format} in the snapshot`);
      if (cur.bus !== old.bus) out.push(`${label} is on ${cur.bus} now, ${old.bus} in the snapshot`);
      if (cur.virtualSize !== old.virtualSize) {
        out.push(
          `${label} is ${formatBytes(cur.virtualSize)} now, ${formatBytes(old.virtualSize)} in the snapshot`,
        );
      }
    }
  }
  for (const cur of now.disks) {
    if (!then.disks.some((d) => d.index === cur.index)) {
      out.push(`disk ${cur.index} (${cur.image}) was attached since the snapshot`);
    }
  }
  if (then.withRam && then.hardware && now.hardware) {
    for (const [key, value] of Object.entries(then.hardware)) {
      const cur = now.hardware[key];
      if (!isDeepStrictEqual(cur, value)) {
        out.push(
          `${key} is ${JSON.stringify(cur)} in the running qemu, ${JSON.stringify(value)} in the snapshot`,
        );
      }
    }
  }
  return out;
}

/**
 * The NIC models by slot. NOTE: one NIC in slot 0 reads as its model alone and none as `none`, which is what
 * snapshots taken while guests had one NIC recorded: they still compare equal.
 */
function nicFacts(nics: VmDefinition['nics']): string {
  if (nics.length === 0) return 'none';
  return nics.map((n) => (n.slot === 0 ? n.model : `${n.slot}:${n.model}`)).join(',');
}
