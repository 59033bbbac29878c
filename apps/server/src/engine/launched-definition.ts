import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import { VmDefinitionSchema, type VmDefinition } from '../vms/definition.ts';

/** The file in a guest's run dir with the definition it was started with (for `pendingChanges` after a restart). */
export const LAUNCHED_FILE = 'launched.json';

/** Reads a run dir's launched definition; undefined when missing, unreadable or from a newer server. */
export async function readLaunched(file: string): Promise<VmDefinition | undefined> {
  try {
    const text = await fs.readFile(file, {
      encoding: 'utf8',
      flag: constants.O_RDONLY | constants.O_NOFOLLOW,
    });
    const parsed = VmDefinitionSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
