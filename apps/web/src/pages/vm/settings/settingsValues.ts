import {
  ErrorCode,
  OS_PRESETS,
  cpuListText,
  parseCpuList,
  UpdateVmRequestSchema,
  type Accel,
  type BootDevice,
  type Clock,
  type Devices,
  type DiskBus,
  type Firmware,
  type Machine,
  type OsType,
  type UpdateVmRequest,
  type Vm,
} from '@virtweb/protocol';
import type { ApiError } from '../../../api/errors.ts';
import {
  duplicateForwardErrors,
  networkDraftOf,
  nicsCandidate,
  type NetworkDraft,
} from '../../vms/wizard/networkDraft.ts';

export interface DiskValues {
  image: string;
  bus: DiskBus;
}

/** The Settings form as its inputs hold it (numbers as typed), before validation. */
export interface SettingsValues {
  name: string;
  os: OsType;
  memoryMiB: string;
  vcpus: string;
  /** Off: the server's default topology (one socket, `vcpus` cores, one thread). */
  customTopology: boolean;
  sockets: string;
  cores: string;
  threads: string;
  boot: BootDevice;
  /** In boot order. */
  disks: DiskValues[];
  /** '' for an empty drive. */
  cdrom: string;
  /** Direct kernel boot; sent only when `boot` is `kernel`. */
  kernel: string;
  initrd: string;
  cmdline: string;
  /** The first NIC (the one the wizard made). */
  network: NetworkDraft;
  /** The NICs as stored: the first keeps its slot and MAC, the others are sent as they are. */
  nics: Vm['nics'];
  machine: Machine;
  firmware: Firmware;
  accel: Accel;
  noKernelIrqchip: boolean;
  balloon: boolean;
  clock: Clock;
  devices: Devices;
  /** Host CPUs of each vCPU as typed (`0-1,3`; empty: not pinned); replaces `devices.cpuPinning` when sent. */
  pinning: string[];
  guestAgent: boolean;
}

export type SetSetting = <K extends keyof SettingsValues>(key: K, value: SettingsValues[K]) => void;

/** Messages keyed by the request path of the field they belong to ("memoryMiB", "disks.1.bus"). */
export type SettingsErrors = Partial<Record<string, string>>;

const isDefaultTopology = (vm: Vm) =>
  vm.topology.sockets === 1 && vm.topology.threads === 1 && vm.topology.cores === vm.vcpus;

/** The form for a VM's stored configuration. */
export function settingsValuesOf(vm: Vm): SettingsValues {
  return {
    name: vm.name,
    os: vm.os,
    memoryMiB: String(vm.memoryMiB),
    vcpus: String(vm.vcpus),
    customTopology: !isDefaultTopology(vm),
    sockets: String(vm.topology.sockets),
    cores: String(vm.topology.cores),
    threads: String(vm.topology.threads),
    boot: vm.boot,
    disks: vm.disks.map((d) => ({ image: d.image, bus: d.bus })),
    cdrom: vm.cdrom ?? '',
    kernel: vm.kernel?.kernel ?? '',
    initrd: vm.kernel?.initrd ?? '',
    cmdline: vm.kernel?.cmdline ?? '',
    network: networkDraftOf(vm.nics[0], OS_PRESETS[vm.os].nicModel),
    nics: vm.nics,
    machine: vm.machine,
    firmware: vm.firmware,
    accel: vm.accel,
    noKernelIrqchip: vm.noKernelIrqchip,
    balloon: vm.balloon,
    clock: vm.clock,
    devices: vm.devices,
    pinning: vm.devices.cpuPinning.map(cpuListText),
    guestAgent: vm.guestAgent,
  };
}

/** A VM's stored configuration as the PUT body that would leave it unchanged. */
export function vmConfigOf(vm: Vm): UpdateVmRequest {
  return {
    name: vm.name,
    os: vm.os,
    memoryMiB: vm.memoryMiB,
    vcpus: vm.vcpus,
    topology: vm.topology,
    ...(vm.cdrom === undefined ? {} : { cdrom: vm.cdrom }),
    boot: vm.boot,
    ...(vm.kernel === undefined ? {} : { kernel: vm.kernel }),
    accel: vm.accel,
    nics: vm.nics,
    machine: vm.machine,
    firmware: vm.firmware,
    noKernelIrqchip: vm.noKernelIrqchip,
    balloon: vm.balloon,
    clock: vm.clock,
    devices: vm.devices,
    guestAgent: vm.guestAgent,
    disks: vm.disks.map((d) => ({ image: d.image, bus: d.bus })),
  };
}

const toNumber = (text: string): number | undefined => (text.trim() === '' ? undefined : Number(text));
const optional = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());

/** The PUT body the values describe (not yet validated). */
function candidate(v: SettingsValues): Record<string, unknown> {
  const cmdline = v.cmdline.trim();
  return {
    name: v.name.trim(),
    os: v.os,
    memoryMiB: toNumber(v.memoryMiB),
    vcpus: toNumber(v.vcpus),
    ...(v.customTopology
      ? { topology: { sockets: toNumber(v.sockets), cores: toNumber(v.cores), threads: toNumber(v.threads) } }
      : {}),
    ...(v.cdrom ? { cdrom: v.cdrom } : {}),
    boot: v.boot,
    ...(v.boot === 'kernel' && v.kernel
      ? {
          kernel: {
            kernel: v.kernel,
            ...(optional(v.initrd) ? { initrd: v.initrd } : {}),
            ...(cmdline ? { cmdline } : {}),
          },
        }
      : {}),
    accel: v.accel,
    nics: nicsCandidate(v.network, v.nics[0], v.nics.slice(1)),
    machine: v.machine,
    firmware: v.firmware,
    noKernelIrqchip: v.noKernelIrqchip,
    balloon: v.balloon,
    clock: v.clock,
    devices: { ...v.devices, cpuPinning: pinningOf(v) },
    guestAgent: v.guestAgent,
    disks: v.disks.map((d) => ({ image: d.image, bus: d.bus })),
  };
}

/**
 * The vCPUs' host CPU sets as the request sends them: one per vCPU the guest has, none after the last pinned
 * one; a set that is not a CPU list counts as empty here (validateSettings reports it).
 */
function pinningOf(v: SettingsValues): number[][] {
  const vcpus = Number(v.vcpus);
  const sets = v.pinning
    .slice(0, Number.isInteger(vcpus) && vcpus > 0 ? vcpus : 0)
    .map((text) => parseCpuList(text) ?? []);
  while (sets.length > 0 && sets.at(-1)?.length === 0) sets.pop();
  return sets;
}

/** The paths the form has a control (and so a message slot) for. */
export function knownKeys(v: SettingsValues): Set<string> {
  const keys = [
    'name',
    'os',
    'memoryMiB',
    'vcpus',
    'topology',
    'topology.sockets',
    'topology.cores',
    'topology.threads',
    'boot',
    'cdrom',
    'kernel',
    'kernel.kernel',
    'kernel.initrd',
    'kernel.cmdline',
    'disks',
    'nics',
    'nics.0',
    'nics.0.model',
    'nics.0.bridge',
    'nics.0.tap',
    'nics.0.network',
    'nics.0.portForwards',
    'machine',
    'firmware',
    'accel',
    'noKernelIrqchip',
    'balloon',
    'clock',
    'devices',
    'devices.video',
    'devices.video.vramMiB',
    'devices.sound',
    'devices.rng',
    'devices.watchdog',
    'devices.watchdog.action',
    'devices.cpuModel',
    'devices.cpuPinning',
    'devices.serialPorts',
    'devices.hugepages',
    'devices.tpm',
    'guestAgent',
  ];
  v.pinning.forEach((_, i) => keys.push(`devices.cpuPinning.${i}`));
  v.disks.forEach((_, i) => keys.push(`disks.${i}`, `disks.${i}.bus`));
  v.network.portForwards.forEach((_, i) =>
    keys.push(
      ...['protocol', 'hostAddress', 'hostPort', 'guestPort'].map((f) => `nics.0.portForwards.${i}.${f}`),
    ),
  );
  return new Set(keys);
}

/**
 * The control a request path belongs to: the longest prefix of the path the form knows ("disks.0.image" →
 * "disks.0"), or null. Paths come as zod arrays or as the server's "a.b.c" strings (maybe "body."-prefixed).
 */
export function errorKey(path: string | readonly PropertyKey[], known: ReadonlySet<string>): string | null {
  const parts = typeof path === 'string' ? path.split(/[./[\]]+/).filter(Boolean) : path.map(String);
  if (parts[0] === 'body') parts.shift();
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join('.');
    if (known.has(key)) return key;
  }
  return null;
}

const NUMBER_KEY = /^(memoryMiB|vcpus|topology\.\w+|nics\.0\.portForwards\.\d+\.(hostPort|guestPort))$/;

export type SettingsValidation =
  { ok: true; request: UpdateVmRequest } | { ok: false; errors: SettingsErrors; form: string | null };

/**
 * Client-side check with the server's own schema (UpdateVmRequestSchema), plus duplicate port forwards.
 * `lockedStorage`: while the guest runs the disks and CD cannot change here, so the VM's own are sent.
 */
export function validateSettings(
  values: SettingsValues,
  lockedStorage?: Pick<SettingsValues, 'disks' | 'cdrom'>,
): SettingsValidation {
  const v = lockedStorage ? { ...values, ...lockedStorage } : values;
  const known = knownKeys(v);
  const errors: SettingsErrors = {};
  const rest: string[] = [];
  const parsed = UpdateVmRequestSchema.safeParse(candidate(v));
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const key = errorKey(issue.path, known);
    if (key === null) {
      rest.push(issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
      continue;
    }
    if (errors[key] !== undefined) continue;
    errors[key] =
      NUMBER_KEY.test(key) && issue.code === 'invalid_type' ? 'enter a whole number' : issue.message;
  }
  for (const [key, message] of Object.entries(duplicateForwardErrors(v.network))) {
    errors[key] ??= message;
  }
  v.pinning.forEach((text, i) => {
    if (parseCpuList(text) === null)
      errors[`devices.cpuPinning.${i}`] ??= 'host CPUs as in 0-3,6 (empty: any)';
  });
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, request: parsed.data };
  return { ok: false, errors, form: rest.length > 0 ? rest.join('; ') : null };
}

/** JSON with sorted object keys: two configurations compare equal however their keys were ordered. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** The stored configuration as a stable string (a cache key: it changes when the configuration does). */
export function configSignature(vm: Vm): string {
  return canonical(vmConfigOf(vm));
}

/** The fields whose value a request changes, compared with the VM's stored configuration. */
export function changedFields(vm: Vm, request: UpdateVmRequest): string[] {
  const before: Record<string, unknown> = { ...vmConfigOf(vm) };
  const after: Record<string, unknown> = {
    ...request,
    topology: request.topology ?? { sockets: 1, cores: request.vcpus, threads: 1 },
  };
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => canonical(before[k]) !== canonical(after[k]));
}

/** The server's 400 details (and a 409 name clash) as field messages; the rest as one form message. */
export function serverSettingsErrors(
  err: ApiError,
  values: SettingsValues,
): { errors: SettingsErrors; form: string | null } {
  const known = knownKeys(values);
  const errors: SettingsErrors = {};
  const rest: string[] = [];
  for (const d of err.details) {
    const key = errorKey(d.path, known);
    if (key !== null && errors[key] === undefined) errors[key] = d.message;
    else rest.push(d.path ? `${d.path}: ${d.message}` : d.message);
  }
  if (err.code === ErrorCode.exists && errors.name === undefined) errors.name = err.message;
  else if (err.details.length === 0) rest.push(err.message);
  return { errors, form: rest.length > 0 ? rest.join('; ') : null };
}

/** What each section of the form gets. */
export interface SectionProps {
  values: SettingsValues;
  errors: SettingsErrors;
  set: SetSetting;
}
