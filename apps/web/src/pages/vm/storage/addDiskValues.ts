import {
  AddDiskRequestSchema,
  OS_PRESETS,
  diskBusProblem,
  diskOptionsProblem,
  type AddDiskRequest,
  type DiskBus,
  type Vm,
} from '@virtweb/protocol';
import { DEFAULT_OPTION_VALUES, type DiskOptionValues } from './DiskOptionsFields.tsx';

/** What the Add disk form holds: a new image (name, format, size) or an existing one, the bus and options. */
export interface AddDiskValues {
  source: 'new' | 'existing';
  /** The new image's name; null while the user has not typed one (then it follows the VM and format). */
  name: string | null;
  format: 'qcow2' | 'raw';
  size: string;
  existing: string;
  bus: DiskBus;
  options: DiskOptionValues;
}

export type AddDiskErrors = Partial<
  Record<'name' | 'size' | 'bus' | 'cache' | 'readOnly' | 'existing', string>
>;

/** The form's start: a new qcow2 image on the bus the guest's OS preset picks (or virtio where it cannot). */
export function initialAddDisk(vm: Vm, freeImages: readonly string[]): AddDiskValues {
  const preset = OS_PRESETS[vm.os].diskBus;
  return {
    source: 'new',
    name: null,
    format: 'qcow2',
    size: '10G',
    existing: freeImages[0] ?? '',
    bus: diskBusProblem(preset, vm.machine) === undefined ? preset : 'virtio',
    options: DEFAULT_OPTION_VALUES,
  };
}

/** The new image's name: what the user typed, else `<vm>-disk<slot>.qcow2` (`.img` for raw). */
export function newImageName(vm: Vm, v: Pick<AddDiskValues, 'name' | 'format'>): string {
  if (v.name !== null) return v.name;
  const used = new Set(vm.disks.map((d) => d.index));
  const slot = [...Array(8).keys()].find((i) => !used.has(i)) ?? vm.disks.length;
  return `${vm.name}-disk${slot}.${v.format === 'raw' ? 'img' : 'qcow2'}`;
}

/** The request the form asks for, or the problems by field (the schema's own messages). */
export function addDiskRequestOf(
  vm: Vm,
  v: AddDiskValues,
): { request: AddDiskRequest; errors?: undefined } | { errors: AddDiskErrors } {
  const image = v.source === 'new' ? newImageName(vm, v).trim() : v.existing;
  const request: AddDiskRequest = {
    image,
    bus: v.bus,
    cache: v.options.cache,
    discard: v.options.discard,
    readOnly: v.options.readOnly,
    ...(v.source === 'new' ? { create: { format: v.format, sizeBytes: v.size.trim() } } : {}),
  };
  const errors: AddDiskErrors = {};
  const busProblem = diskBusProblem(v.bus, vm.machine);
  if (busProblem !== undefined) errors.bus = busProblem;
  const optionProblem = diskOptionsProblem(v.bus, v.options);
  if (optionProblem !== undefined) errors[optionProblem.field] = optionProblem.message;
  if (v.source === 'existing' && image === '') errors.existing = 'choose an image';
  const parsed = AddDiskRequestSchema.safeParse(request);
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const [first, second] = issue.path;
    const field =
      first === 'image'
        ? v.source === 'new'
          ? 'name'
          : 'existing'
        : first === 'create' && second === 'sizeBytes'
          ? 'size'
          : undefined;
    if (field !== undefined) errors[field] ??= issue.message;
  }
  return Object.keys(errors).length > 0 ? { errors } : { request };
}
