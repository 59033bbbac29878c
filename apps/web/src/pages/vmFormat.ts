import { formatBytes, type Vm } from '@virtweb/protocol';

const ACCEL_NAME = { kvm: 'KVM', tcg: 'TCG' } as const;

/** The accelerator a guest runs with, or the requested one ("auto (requested)") while no qemu exists. */
export function accelLabel(vm: Vm): string {
  if (vm.activeAccel) return ACCEL_NAME[vm.activeAccel];
  return vm.accel === 'auto' ? 'auto (requested)' : `${ACCEL_NAME[vm.accel]} (requested)`;
}

export function memoryLabel(memoryMiB: number): string {
  return formatBytes(memoryMiB * 2 ** 20);
}

/** "2026-01-02 10:11:12" in local time, or the raw string when it does not parse. */
export function timeLabel(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString();
}
