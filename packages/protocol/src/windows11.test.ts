import { describe, expect, it } from 'vitest';
import { OS_PRESETS } from './vm-config.ts';
import { PRESET_DEVICES, DevicesSchema, DevicesRequestSchema } from './vm-devices.ts';
import { windows11Readiness, type Windows11Facts } from './windows11.ts';

const READY: Windows11Facts = {
  firmware: 'uefi-secure',
  tpm: 'tpm2',
  memoryMiB: 4096,
  vcpus: 2,
  machine: 'q35',
  diskBytes: [64 * 2 ** 30],
};

const failing = (f: Windows11Facts) =>
  windows11Readiness(f)
    .checks.filter((c) => !c.pass)
    .map((c) => c.id);

describe('Windows 11 readiness', () => {
  it('passes a guest with everything at the minimum', () => {
    expect(windows11Readiness(READY).ready).toBe(true);
    expect(failing(READY)).toEqual([]);
  });

  it('names each missing requirement', () => {
    expect(failing({ ...READY, tpm: 'none' })).toEqual(['tpm']);
    expect(failing({ ...READY, firmware: 'uefi' })).toEqual(['secureBoot']);
    expect(failing({ ...READY, firmware: 'bios' })).toEqual(['uefi', 'secureBoot']);
    expect(failing({ ...READY, memoryMiB: 4095 })).toEqual(['memory']);
    expect(failing({ ...READY, vcpus: 1 })).toEqual(['vcpus']);
    expect(failing({ ...READY, machine: 'pc' })).toEqual(['machine']);
    expect(failing({ ...READY, diskBytes: [64 * 2 ** 30 - 1] })).toEqual(['disk']);
    expect(failing({ ...READY, diskBytes: [] })).toEqual(['disk']);
    expect(failing({ ...READY, diskBytes: [undefined] })).toEqual(['disk']);
    expect(windows11Readiness({ ...READY, vcpus: 1 }).ready).toBe(false);
  });

  it('counts the largest disk and says what the guest has', () => {
    const r = windows11Readiness({ ...READY, diskBytes: [2 ** 30, 100 * 2 ** 30], memoryMiB: 2048 });
    expect(r.checks.find((c) => c.id === 'disk')).toMatchObject({ pass: true, has: 'largest 100 GiB' });
    expect(r.checks.find((c) => c.id === 'memory')).toMatchObject({ pass: false, has: '2 GiB' });
  });

  it('the Windows 11 preset meets every requirement', () => {
    const p = OS_PRESETS.windows11;
    const r = windows11Readiness({
      firmware: p.firmware,
      tpm: PRESET_DEVICES.windows11.tpm,
      memoryMiB: p.memoryMiB,
      vcpus: p.vcpus,
      machine: p.machine,
      diskBytes: [p.diskSizeGiB * 2 ** 30],
    });
    expect(r.ready).toBe(true);
    expect(p).toMatchObject({ diskBus: 'sata', nicModel: 'e1000' });
    expect(p.note).toMatch(/virtio-win/);
  });
});

describe('TPM setting', () => {
  it('is none in definitions from before it, and only none or tpm2', () => {
    const { tpm: _, ...old } = PRESET_DEVICES.linux;
    expect(DevicesSchema.parse(old).tpm).toBe('none');
    expect(DevicesSchema.parse({ ...old, tpm: 'tpm2' }).tpm).toBe('tpm2');
    expect(DevicesSchema.safeParse({ ...old, tpm: 'tpm1.2' }).success).toBe(false);
    expect(DevicesRequestSchema.safeParse({ tpm: 'tpm2' }).success).toBe(true);
    expect(DevicesRequestSchema.safeParse({ tpm: true }).success).toBe(false);
  });
});
