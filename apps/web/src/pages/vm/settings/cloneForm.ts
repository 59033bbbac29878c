import { CloneVmRequestSchema, type CloneVmRequest, type Vm } from '@virtweb/protocol';
import type { ApiError } from '../../../api/errors.ts';

export type CloneMode = 'copy' | 'overlay';

export interface CloneDiskValues {
  /** The source VM's disk. */
  image: string;
  mode: CloneMode;
  /** As typed; ignored until `targetEdited` (then the default follows the new VM's name). */
  target: string;
  targetEdited: boolean;
}

export interface CloneValues {
  name: string;
  disks: CloneDiskValues[];
}

/** Messages keyed "name" or "disks.<i>.target". */
export type CloneErrors = Partial<Record<string, string>>;

/** The default name of the n-th (from 1) disk of a clone: `<newname>-<n>.qcow2`. */
export function defaultTarget(newName: string, n: number): string {
  return `${newName.trim() || 'clone'}-${n}.qcow2`;
}

export function initialClone(vm: Vm): CloneValues {
  return {
    name: `${vm.name}-clone`,
    disks: vm.disks.map((d) => ({ image: d.image, mode: 'copy', target: '', targetEdited: false })),
  };
}

/** The target name a disk row stands for right now. */
export function targetOf(values: CloneValues, i: number): string {
  const d = values.disks[i];
  if (!d) return '';
  return d.targetEdited ? d.target.trim() : defaultTarget(values.name, i + 1);
}

export type CloneValidation = { ok: true; request: CloneVmRequest } | { ok: false; errors: CloneErrors };

/**
 * Checks with the server's schema, then what the schema cannot know: the name of an existing VM, targets that
 * exist in the image store or repeat.
 */
export function validateClone(
  values: CloneValues,
  taken: { vmNames: ReadonlySet<string>; imageNames: ReadonlySet<string> },
): CloneValidation {
  const candidate = {
    name: values.name.trim(),
    disks: values.disks.map((d, i) => ({ image: d.image, mode: d.mode, target: targetOf(values, i) })),
  };
  const errors: CloneErrors = {};
  const parsed = CloneVmRequestSchema.safeParse(candidate);
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const [first, index] = issue.path;
    const key = first === 'disks' && typeof index === 'number' ? `disks.${index}.target` : 'name';
    errors[key] ??= issue.message;
  }
  if (taken.vmNames.has(candidate.name)) errors.name ??= `a VM named ${candidate.name} already exists`;
  const seen = new Set<string>();
  candidate.disks.forEach((d, i) => {
    const key = `disks.${i}.target`;
    if (taken.imageNames.has(d.target)) errors[key] ??= `an image named ${d.target} already exists`;
    else if (seen.has(d.target)) errors[key] ??= `${d.target} is the target of another disk too`;
    seen.add(d.target);
  });
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, request: parsed.data };
  return { ok: false, errors };
}

/** The server's answer as field messages (the name, a disk's target) and one message for the rest. */
export function serverCloneErrors(err: ApiError): { errors: CloneErrors; form: string | null } {
  const errors: CloneErrors = {};
  const rest: string[] = [];
  for (const d of err.details) {
    const disk = /^disks\.(\d+)\.(image|target)$/.exec(d.path);
    const key = d.path === 'name' ? 'name' : disk ? `disks.${disk[1] ?? ''}.target` : null;
    if (key !== null) errors[key] ??= d.message;
    else rest.push(d.path ? `${d.path}: ${d.message}` : d.message);
  }
  if (err.details.length === 0) rest.push(err.message);
  return { errors, form: rest.length > 0 ? rest.join('; ') : null };
}
