import { CreateVmRequestSchema, ErrorCode, type Accel, type CreateVmRequest } from '@virtweb/protocol';
import type { ApiError } from '../../api/errors.ts';

/** The New VM form as the inputs hold it (strings), before validation. */
export interface VmFormValues {
  name: string;
  memoryMiB: string;
  vcpus: string;
  cdrom: string;
  disk: string;
  boot: '' | 'cdrom' | 'disk';
  accel: Accel;
  network: 'user' | 'none';
}
export type VmFormField = keyof VmFormValues;
export type VmFormErrors = Partial<Record<VmFormField, string>>;

export const initialVmForm: VmFormValues = {
  name: '',
  memoryMiB: '512',
  vcpus: '1',
  cdrom: '',
  disk: '',
  boot: '',
  accel: 'auto',
  network: 'user',
};

const NUMBER_FIELDS = new Set<VmFormField>(['memoryMiB', 'vcpus']);

function toNumber(text: string): number | undefined {
  return text.trim() === '' ? undefined : Number(text);
}

/** The request the form describes (not yet validated). */
function candidate(v: VmFormValues): Record<string, unknown> {
  return {
    name: v.name.trim(),
    memoryMiB: toNumber(v.memoryMiB),
    vcpus: toNumber(v.vcpus),
    disks: v.disk ? [{ image: v.disk }] : [],
    ...(v.cdrom ? { cdrom: v.cdrom } : {}),
    ...(v.boot ? { boot: v.boot } : {}),
    accel: v.accel,
    network: v.network,
  };
}

/** Maps a request path (["disks", 0, "image"], "disks.0.image", "/body/name") to the form field. */
export function fieldOf(path: string | readonly PropertyKey[]): VmFormField | null {
  const parts = typeof path === 'string' ? path.split(/[./[\]]+/).filter(Boolean) : path.map(String);
  const first = parts[0] === 'body' ? parts[1] : parts[0];
  switch (first) {
    case 'name':
    case 'memoryMiB':
    case 'vcpus':
    case 'cdrom':
    case 'boot':
    case 'accel':
    case 'network':
      return first;
    case 'disks':
      return 'disk';
    default:
      return null;
  }
}

export type Validation = { ok: true; request: CreateVmRequest } | { ok: false; errors: VmFormErrors };

/** Client-side check with the server's own schema (CreateVmRequestSchema). */
export function validateVmForm(values: VmFormValues): Validation {
  const parsed = CreateVmRequestSchema.safeParse(candidate(values));
  if (parsed.success) return { ok: true, request: parsed.data };
  const errors: VmFormErrors = {};
  for (const issue of parsed.error.issues) {
    const field = fieldOf(issue.path) ?? 'name';
    if (errors[field]) continue;
    errors[field] =
      NUMBER_FIELDS.has(field) && issue.code === 'invalid_type' ? 'enter a whole number' : issue.message;
  }
  return { ok: false, errors };
}

/** The server's 400 details (and a 409 name clash) as field messages; the rest as one form message. */
export function serverVmErrors(err: ApiError): { fields: VmFormErrors; form: string | null } {
  const fields: VmFormErrors = {};
  const rest: string[] = [];
  for (const d of err.details) {
    const field = fieldOf(d.path);
    if (field && !fields[field]) fields[field] = d.message;
    else rest.push(d.path ? `${d.path}: ${d.message}` : d.message);
  }
  if (err.code === ErrorCode.exists && !fields.name) fields.name = err.message;
  else if (err.details.length === 0) rest.push(err.message);
  return { fields, form: rest.length > 0 ? rest.join('; ') : null };
}
