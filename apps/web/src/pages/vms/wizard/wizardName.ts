import { VmNameSchema } from '@virtweb/protocol';
import type { WizardValues } from './wizardValues.ts';

type NameSource = Pick<WizardValues, 'media' | 'iso' | 'importDisk' | 'kernel' | 'os'>;

const MAX_BASE = 56;
// What an image name ends with that says nothing about the guest.
const SUFFIXES = /(\.(iso|img|qcow2|raw|vmdk|vdi|bin|gz|xz))+$/i;

/** An image file name made into a VM name: extension gone, other characters as '-', within the length. */
function baseOf(file: string): string {
  return file
    .replace(SUFFIXES, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9_]+/, '')
    .slice(0, MAX_BASE)
    .replace(/[.-]+$/, '');
}

/**
 * A free name for the new guest, as virt-manager suggests one: from what it boots (`debian-12.iso` →
 * `debian-12`), else the OS type; `-2`, `-3`… when a guest has that name already.
 */
export function suggestName(v: NameSource, taken: readonly string[]): string {
  const file = v.media === 'iso' ? v.iso : v.media === 'import' ? v.importDisk : v.kernel;
  const base = baseOf(file) || v.os;
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

/**
 * The name after a change of what the guest boots: a name still equal to the old suggestion follows the
 * new one; a name the user typed stays.
 */
export function followSuggestion(
  before: WizardValues,
  after: WizardValues,
  taken: readonly string[],
): string {
  return after.name === suggestName(before, taken) ? suggestName(after, taken) : after.name;
}

/** What is wrong with a name as it is typed (the schema's words, or a clash with a guest), or undefined. */
export function nameProblem(name: string, taken: readonly string[]): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return undefined;
  if (taken.includes(trimmed)) return `a VM named ${trimmed} already exists`;
  const parsed = VmNameSchema.safeParse(trimmed);
  return parsed.success ? undefined : parsed.error.issues[0]?.message;
}
