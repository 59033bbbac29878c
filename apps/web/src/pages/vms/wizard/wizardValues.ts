import {
  OS_PRESETS,
  type Accel,
  type Clock,
  type DiskBus,
  type Firmware,
  type HostInfo,
  type Image,
  type Machine,
  type OsType,
} from '@virtweb/protocol';
import { isCdImage } from '../../imageKinds.ts';
import { initialNetworkDraft, type NetworkDraft } from './networkDraft.ts';

/** Where the guest's OS comes from: a CD image to install from, a disk that has one, or a kernel file. */
export type MediaKind = 'iso' | 'import' | 'kernel';
/** The guest's (first) disk: a new image, an existing one, or none. Import mode has its own disk instead. */
export type StorageKind = 'new' | 'existing' | 'none';
export type DiskFormat = 'qcow2' | 'raw';

/** The wizard's form as the inputs hold it (numbers as typed), before validation. */
export interface WizardValues {
  name: string;
  media: MediaKind;
  iso: string;
  importDisk: string;
  kernel: string;
  /** '' for none. */
  initrd: string;
  cmdline: string;
  os: OsType;
  memoryMiB: string;
  vcpus: string;
  /** All three '' means qemu's default topology; one left empty counts as 1. */
  sockets: string;
  cores: string;
  threads: string;
  balloon: boolean;
  storage: StorageKind;
  /** null: follows the VM name (`<name>.qcow2`) until the user types one. */
  diskName: string | null;
  diskFormat: DiskFormat;
  /** As typed: "10G", "512M", bytes. */
  diskSize: string;
  existingDisk: string;
  diskBus: DiskBus;
  network: NetworkDraft;
  firmware: Firmware;
  machine: Machine;
  accel: Accel;
  noKernelIrqchip: boolean;
  clock: Clock;
  /** The libvirt connection (URI) to define the guest on; '' for this server. */
  connection: string;
}

/** The fields an OS preset fills in (unless the user has changed them already). */
export type PresetField =
  'memoryMiB' | 'vcpus' | 'balloon' | 'diskSize' | 'diskBus' | 'nicModel' | 'clock' | 'machine' | 'firmware';

export function initialWizardValues(images: readonly Image[], host: HostInfo): WizardValues {
  const preset = OS_PRESETS.linux;
  return {
    name: '',
    media: 'iso',
    iso: images.find(isCdImage)?.name ?? '',
    importDisk: '',
    kernel: '',
    initrd: '',
    cmdline: '',
    os: 'linux',
    memoryMiB: String(preset.memoryMiB),
    vcpus: String(preset.vcpus),
    sockets: '',
    cores: '',
    threads: '',
    balloon: preset.balloon,
    storage: 'new',
    diskName: null,
    diskFormat: 'qcow2',
    diskSize: `${preset.diskSizeGiB}G`,
    existingDisk: '',
    diskBus: preset.diskBus,
    network: initialNetworkDraft(preset.nicModel, host.network),
    firmware: preset.firmware,
    machine: preset.machine,
    accel: 'auto',
    noKernelIrqchip: false,
    clock: preset.clock,
    connection: '',
  };
}

/** The OS preset's choices for every field the user has not touched yet. */
export function applyPreset(v: WizardValues, os: OsType, touched: ReadonlySet<PresetField>): WizardValues {
  const p = OS_PRESETS[os];
  const keep = (f: PresetField) => touched.has(f);
  return {
    ...v,
    os,
    memoryMiB: keep('memoryMiB') ? v.memoryMiB : String(p.memoryMiB),
    vcpus: keep('vcpus') ? v.vcpus : String(p.vcpus),
    balloon: keep('balloon') ? v.balloon : p.balloon,
    diskSize: keep('diskSize') ? v.diskSize : `${p.diskSizeGiB}G`,
    diskBus: keep('diskBus') ? v.diskBus : p.diskBus,
    network: keep('nicModel') ? v.network : { ...v.network, model: p.nicModel },
    clock: keep('clock') ? v.clock : p.clock,
    machine: keep('machine') ? v.machine : p.machine,
    firmware: keep('firmware') ? v.firmware : p.firmware,
  };
}

const EXTENSION: Record<DiskFormat, string> = { qcow2: 'qcow2', raw: 'img' };

/** The new disk's name: what the user typed, else `<vm name>.qcow2` (`.img` for raw). */
export function diskNameOf(v: Pick<WizardValues, 'diskName' | 'name' | 'diskFormat'>): string {
  return v.diskName ?? `${v.name.trim() || 'disk'}.${EXTENSION[v.diskFormat]}`;
}
