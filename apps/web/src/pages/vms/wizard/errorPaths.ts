import { ErrorCode } from '@virtweb/protocol';
import type { ApiError } from '../../../api/errors.ts';
import type { PathErrors } from './networkDraft.ts';

const TOP_LEVEL = new Set([
  'name',
  'os',
  'memoryMiB',
  'vcpus',
  'topology',
  'cdrom',
  'boot',
  'accel',
  'machine',
  'firmware',
  'noKernelIrqchip',
  'balloon',
  'clock',
]);
const FORWARD_FIELDS = new Set(['protocol', 'hostAddress', 'hostPort', 'guestPort']);

function diskKey(index: string | undefined, field: string | undefined, sub: string | undefined): string {
  if (index !== '0') return 'disks';
  if (field === 'bus') return 'disks.0.bus';
  if (field === 'create') return sub === 'format' ? 'disks.0.create.format' : 'disks.0.create.sizeBytes';
  return 'disks.0.image';
}

/** The wizard edits one NIC, the request's `nics.0`; anything else about the NICs shows at the list. */
function nicKey(rest: readonly string[]): string {
  const [nic, field, index, sub] = rest;
  if (nic !== '0') return 'nics';
  if (field === 'model' || field === 'bridge' || field === 'tap' || field === 'network')
    return `nics.0.${field}`;
  if (field !== 'portForwards') return 'nics';
  if (index !== undefined && /^\d+$/.test(index) && sub !== undefined && FORWARD_FIELDS.has(sub)) {
    return `nics.0.portForwards.${index}.${sub}`;
  }
  return 'nics.0.portForwards';
}

/**
 * The wizard field (its error key) for a request path in either notation (["disks", 0, "image"],
 * "disks.0.image", "/body/name"): the path itself where a field shows it, else the field that does
 * (`topology.cores` → `topology`, `kernel.kernel` → `kernel`). Null for paths no field shows.
 */
export function errorKeyOf(path: string | readonly PropertyKey[]): string | null {
  const parts = typeof path === 'string' ? path.split(/[./[\]]+/).filter(Boolean) : path.map(String);
  if (parts[0] === 'body') parts.shift();
  const [first, second, third, fourth] = parts;
  if (first === undefined) return null;
  if (TOP_LEVEL.has(first)) return first;
  if (first === 'kernel') return second === 'initrd' || second === 'cmdline' ? `kernel.${second}` : 'kernel';
  if (first === 'disks') return diskKey(second, third, fourth);
  if (first === 'nics') return nicKey(parts.slice(1));
  return null;
}

/** The server's answer as field messages (400 details, 409 clashes) and one message for the rest. */
export function serverErrors(err: ApiError): { fields: PathErrors; form: string | null } {
  const fields: PathErrors = {};
  const rest: string[] = [];
  for (const d of err.details) {
    const key = errorKeyOf(d.path);
    if (key === null) rest.push(d.path ? `${d.path}: ${d.message}` : d.message);
    else fields[key] ??= d.message;
  }
  if (err.details.length === 0) {
    if (err.code === ErrorCode.exists) fields.name = err.message;
    else rest.push(err.message);
  }
  return { fields, form: rest.length > 0 ? rest.join('; ') : null };
}

/** The error keys a change of each form value may fix (cleared when the value changes). */
export const ERROR_KEYS_OF_VALUE: Record<string, readonly string[]> = {
  media: ['boot', 'cdrom', 'kernel', 'disks.0.image'],
  iso: ['cdrom', 'boot'],
  importDisk: ['disks.0.image', 'boot'],
  initrd: ['kernel.initrd'],
  cmdline: ['kernel.cmdline'],
  vcpus: ['vcpus', 'topology'],
  sockets: ['topology'],
  cores: ['topology'],
  threads: ['topology'],
  storage: ['disks', 'disks.0.image', 'boot'],
  diskName: ['disks.0.image'],
  diskFormat: ['disks.0.create.format', 'disks.0.image'],
  diskSize: ['disks.0.create.sizeBytes'],
  existingDisk: ['disks.0.image'],
  diskBus: ['disks.0.bus'],
  machine: ['machine', 'firmware', 'disks.0.bus'],
  accel: ['accel', 'noKernelIrqchip'],
};

/** The messages without `keys` (and without the keys under them: `nics.0.portForwards` takes its rows). */
export function withoutErrors(errors: PathErrors, keys: readonly string[]): PathErrors {
  const out: PathErrors = {};
  for (const [key, message] of Object.entries(errors)) {
    if (!keys.some((k) => key === k || key.startsWith(`${k}.`))) out[key] = message;
  }
  return out;
}

/** The messages whose key passes `keep`. */
export function pickErrors(errors: PathErrors, keep: (key: string) => boolean): PathErrors {
  return Object.fromEntries(Object.entries(errors).filter(([key]) => keep(key)));
}
