import { ErrorCode } from '@virtweb/protocol';
import { Conflict } from '../../domain/errors.ts';
import { hugePages, hugePagesProblem, type HugePages } from '../../host/hugepages.ts';
import type { VmDefinition } from '../../vms/definition.ts';

/**
 * A start of a guest on huge pages: enough free 2 MiB pages now, or a 409 that says how many to reserve (a
 * preview notes it instead). Racy by nature with other starts; qemu's own refusal is reported then.
 * @throws Conflict
 */
export async function checkHugePages(
  def: VmDefinition,
  preview: boolean,
  notes: string[],
  pages: () => Promise<HugePages | undefined> = hugePages,
): Promise<void> {
  if (!def.devices.hugepages) return;
  const problem = hugePagesProblem(def.memoryMiB, await pages());
  if (problem !== undefined && !preview) throw new Conflict(ErrorCode.conflict, `huge pages: ${problem}`);
  notes.push(
    problem === undefined
      ? `the guest RAM comes from the host's 2 MiB huge pages (${def.memoryMiB / 2} of them)`
      : `starting will fail: huge pages: ${problem}`,
  );
}
