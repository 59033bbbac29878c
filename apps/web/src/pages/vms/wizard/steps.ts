import type { MediaKind } from './wizardValues.ts';

/** The wizard's steps in order (virt-manager's, with the summary last). */
export const STEPS = [
  { id: 'media', title: 'Name and install media' },
  { id: 'os', title: 'Operating system' },
  { id: 'cpu', title: 'Memory and CPUs' },
  { id: 'storage', title: 'Storage' },
  { id: 'network', title: 'Network' },
  { id: 'machine', title: 'Firmware and machine' },
  { id: 'summary', title: 'Summary' },
] as const;

export type StepId = (typeof STEPS)[number]['id'];

export const stepIndex = (id: StepId): number => STEPS.findIndex((s) => s.id === id);

const STEP_OF_FIELD: Record<string, StepId> = {
  name: 'media',
  cdrom: 'media',
  boot: 'media',
  kernel: 'media',
  os: 'os',
  memoryMiB: 'cpu',
  vcpus: 'cpu',
  topology: 'cpu',
  balloon: 'cpu',
  disks: 'storage',
  nics: 'network',
  firmware: 'machine',
  machine: 'machine',
  accel: 'machine',
  noKernelIrqchip: 'machine',
  clock: 'machine',
  connection: 'machine',
};

/**
 * The step that shows the field of an error key (see `errorKeyOf`); the imported disk is picked on the first
 * step. Keys no step shows belong to the summary, which lists them.
 */
export function stepOfKey(key: string, media: MediaKind): StepId {
  if (key === 'disks.0.image' && media === 'import') return 'media';
  return STEP_OF_FIELD[key.split('.')[0] ?? ''] ?? 'summary';
}
