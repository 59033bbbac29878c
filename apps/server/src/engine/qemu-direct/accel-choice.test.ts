import type { KvmStatus } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { chooseAccel } from './accel-choice.ts';

const base = { cpuFlag: null, devKvm: { exists: true, accessible: true }, probeMs: 40 } as const;
const unusable: KvmStatus = {
  ...base,
  present: true,
  usable: false,
  reason: 'KVM present but not usable: qemu refused to run the probe guest',
};
const usable: KvmStatus = { ...base, cpuFlag: 'vmx', present: true, usable: true, reason: 'KVM usable' };
const absent: KvmStatus = {
  ...base,
  devKvm: { exists: false, accessible: false },
  present: false,
  usable: false,
  reason: 'KVM not available: /dev/kvm does not exist',
};

describe('chooseAccel', () => {
  it('auto falls back to TCG with the probe reason when KVM is present but not usable', () => {
    expect(chooseAccel('auto', 'auto', unusable)).toEqual({ accel: 'tcg', reason: unusable.reason });
  });
  it('auto takes KVM when the probe says it works', () => {
    expect(chooseAccel('auto', 'auto', usable)).toEqual({ accel: 'kvm', reason: undefined });
  });
  it('follows the server default for guests that say auto', () => {
    expect(chooseAccel('auto', 'tcg', undefined)).toMatchObject({
      accel: 'tcg',
      reason: expect.stringMatching(/VIRTWEB_ACCEL/) as unknown,
    });
    expect(chooseAccel('auto', 'kvm', unusable)).toEqual({ accel: 'kvm', reason: undefined });
  });
  it('honours an explicit choice, refusing KVM without /dev/kvm', () => {
    expect(chooseAccel('tcg', 'kvm', undefined)).toEqual({ accel: 'tcg', reason: undefined });
    expect(chooseAccel('kvm', 'auto', unusable)).toEqual({ accel: 'kvm', reason: undefined });
    expect(() => chooseAccel('kvm', 'auto', absent)).toThrow(/not available/);
  });
});
