import { z } from 'zod';
import type { Firmware } from './vm-config.ts';
import type { Tpm } from './vm-devices.ts';

// What Windows 11's installer checks before it installs (Microsoft's minimum system requirements), as far as
// a guest's virtual hardware decides it.

export const WINDOWS11_MIN_MEMORY_MIB = 4096;
export const WINDOWS11_MIN_VCPUS = 2;
export const WINDOWS11_MIN_DISK_BYTES = 64 * 2 ** 30;

export const Windows11CheckIdSchema = z.enum([
  'tpm',
  'uefi',
  'secureBoot',
  'memory',
  'disk',
  'vcpus',
  'machine',
]);
export type Windows11CheckId = z.infer<typeof Windows11CheckIdSchema>;

export const Windows11CheckSchema = z.object({
  id: Windows11CheckIdSchema,
  /** What is needed, e.g. "TPM 2.0". */
  label: z.string(),
  pass: z.boolean(),
  /** What the guest has, e.g. "none", "2 GiB". */
  has: z.string(),
});
export type Windows11Check = z.infer<typeof Windows11CheckSchema>;

/** `GET /api/vms/:id/windows11`: each requirement with whether the guest meets it (as defined: next start). */
export const Windows11ReadinessSchema = z.object({
  ready: z.boolean(),
  checks: z.array(Windows11CheckSchema),
});
export type Windows11Readiness = z.infer<typeof Windows11ReadinessSchema>;

/** The guest facts the checks read; `diskBytes`: each disk's virtual size (undefined when it is unknown). */
export interface Windows11Facts {
  firmware: Firmware;
  tpm: Tpm;
  memoryMiB: number;
  vcpus: number;
  machine: 'q35' | 'pc';
  diskBytes: readonly (number | undefined)[];
}

/** Which of Windows 11's requirements a guest meets (the largest disk counts: Windows goes on one disk). */
export function windows11Readiness(f: Windows11Facts): Windows11Readiness {
  const sizes = f.diskBytes.filter((b): b is number => b !== undefined);
  const largest = sizes.length === 0 ? undefined : Math.max(...sizes);
  const gib = (bytes: number) => `${Math.round((bytes / 2 ** 30) * 10) / 10} GiB`;
  const uefi = f.firmware !== 'bios';
  const checks: Windows11Check[] = [
    { id: 'tpm', label: 'TPM 2.0', pass: f.tpm === 'tpm2', has: f.tpm === 'tpm2' ? 'TPM 2.0' : 'no TPM' },
    { id: 'uefi', label: 'UEFI firmware', pass: uefi, has: uefi ? 'UEFI' : 'BIOS' },
    {
      id: 'secureBoot',
      label: 'Secure Boot',
      pass: f.firmware === 'uefi-secure',
      has: f.firmware === 'uefi-secure' ? 'on' : 'off',
    },
    {
      id: 'memory',
      label: `at least ${gib(WINDOWS11_MIN_MEMORY_MIB * 2 ** 20)} memory`,
      pass: f.memoryMiB >= WINDOWS11_MIN_MEMORY_MIB,
      has: gib(f.memoryMiB * 2 ** 20),
    },
    {
      id: 'disk',
      label: `a disk of at least ${gib(WINDOWS11_MIN_DISK_BYTES)}`,
      pass: largest !== undefined && largest >= WINDOWS11_MIN_DISK_BYTES,
      has: largest === undefined ? 'no disk' : `largest ${gib(largest)}`,
    },
    {
      id: 'vcpus',
      label: `at least ${WINDOWS11_MIN_VCPUS} vCPUs`,
      pass: f.vcpus >= WINDOWS11_MIN_VCPUS,
      has: `${f.vcpus} vCPU${f.vcpus === 1 ? '' : 's'}`,
    },
    // NOTE: OVMF's Secure Boot build needs SMM, which only q35 gives it; q35 is also what Windows 11 expects.
    { id: 'machine', label: 'the q35 machine', pass: f.machine === 'q35', has: f.machine },
  ];
  return { ready: checks.every((c) => c.pass), checks };
}
