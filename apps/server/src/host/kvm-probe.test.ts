import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuVirtFlag, detectKvm } from './capabilities.ts';
import { QemuAccess } from './qemu-access.ts';
import { QemuUser } from './qemu-user.ts';
import { kvmProbeBootSector } from './kvm-probe-image.ts';
import { probeLinuxBoot, probeLongMode } from './kvm-probe.ts';

const REPO = path.resolve(import.meta.dirname, '../../../..');
const asRoot = process.getuid?.() === 0;
// scripts/setup makes this user; as root the probes run as it.
const QEMU_USER = process.env.VIRTWEB_QEMU_USER ?? 'virtweb-qemu';
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

  it.runIf(asRoot)("a probe guest runs as qemu's user, its temp disk handed over", async () => {
    const ids = await new QemuUser(QEMU_USER).identity();
    const r = await probeLongMode('qemu-system-x86_64', 'tcg', 10_000, ids);
    expect(r).toMatchObject({ ok: true });
  });

  it("gives a verdict with a reason on this host, probing as qemu's user", async () => {
    const dataDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'vw-probe-test-'));
    try {
      // The kernel comes from the data dir, as the server's does (granted to qemu's user there).
      await fs.promises.mkdir(path.join(dataDir, 'images'));
      const copy = {
        kernel: path.join(dataDir, 'images/tinylinux.vmlinuz'),
        initrd: path.join(dataDir, 'images/tinylinux.initrd'),
      };
      await fs.promises.copyFile(kernel.kernel, copy.kernel);
      await fs.promises.copyFile(kernel.initrd, copy.initrd);
      const access = new QemuAccess(new QemuUser(QEMU_USER), dataDir);
      const status = await detectKvm('qemu-system-x86_64', access, copy);
      expect(status.reason).toMatch(/^KVM (usable|present but not usable|not available)/);
      if (!status.devKvm.exists) expect(status.present).toBe(false);
      if (status.devKvm.exists && !status.devKvm.accessible && asRoot) {
        expect(status.reason).toContain(`/dev/kvm is not readable and writable by qemu's user ${QEMU_USER}`);
      }
      if (status.usable) expect(status.probeMs).not.toBeNull();
      expect(['vmx', 'svm', null]).toContain(await cpuVirtFlag());
    } finally {
      await fs.promises.rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it.runIf(asRoot)('refuses to probe without qemu user, naming the fix', async () => {
    const access = new QemuAccess(new QemuUser('vw-no-such-user'), os.tmpdir());
    await expect(detectKvm('qemu-system-x86_64', access)).rejects.toThrow(
      /vw-no-such-user does not exist.*run scripts\/setup/,
    );
  });
});
