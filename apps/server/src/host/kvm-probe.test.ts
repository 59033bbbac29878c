import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuVirtFlag, detectKvm } from './capabilities.ts';
import { kvmProbeBootSector } from './kvm-probe-image.ts';
import { probeLinuxBoot, probeLongMode } from './kvm-probe.ts';

const REPO = path.resolve(import.meta.dirname, '../../../..');
const kernel = {
  kernel: path.join(REPO, '.cache/tinylinux.vmlinuz'),
  initrd: path.join(REPO, '.cache/tinylinux.initrd'),
};

describe('KVM probe', () => {
  it('has a valid boot sector', () => {
    const s = kvmProbeBootSector();
    expect(s.length).toBe(512);
    expect([s[510], s[511]]).toEqual([0x55, 0xaa]);
  });

  it('the long-mode probe guest really reaches 64-bit code (checked under TCG)', async () => {
    const r = await probeLongMode('qemu-system-x86_64', 'tcg', 10_000);
    expect(r).toMatchObject({ ok: true });
  });

  it('the Linux probe boots the test guest kernel to its marker (checked under TCG)', async () => {
    expect(fs.existsSync(kernel.kernel), 'run ./scripts/setup to build the test guest').toBe(true);
    const r = await probeLinuxBoot('qemu-system-x86_64', 'tcg', kernel, 60_000);
    expect(r.detail).toMatch(/booted Linux/);
  });

  it('a probe that cannot finish in time says so', async () => {
    const r = await probeLinuxBoot('qemu-system-x86_64', 'tcg', kernel, 300);
    expect(r).toMatchObject({ ok: false });
    expect(r.detail).toMatch(/did not finish booting within 0.3 s/);
  });

  it('reports qemu failures in qemu words', async () => {
    const r = await probeLongMode('/bin/false', 'tcg', 5000);
    expect(r.ok).toBe(false);
  });

  it('gives a verdict with a reason on this host', async () => {
    const status = await detectKvm('qemu-system-x86_64', kernel);
    expect(status.reason).toMatch(/^KVM (usable|present but not usable|not available)/);
    if (!status.devKvm.exists) expect(status.present).toBe(false);
    if (status.usable) expect(status.probeMs).not.toBeNull();
    expect(['vmx', 'svm', null]).toContain(await cpuVirtFlag());
  }, 60_000);
});
