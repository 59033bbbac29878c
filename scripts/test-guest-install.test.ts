// The test guest's `install` command under qemu TCG, the flow of the new-VM wizard on its default machine (q35,
// whose CD sits on SATA): boot the ISO as a CD with an empty qcow2 disk, install onto the disk, power off, boot
// again without the CD, from the disk (BIOS, and UEFI when OVMF is installed). And `install` refusing what it
// must not do, before writing anything.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  Guest,
  ISO,
  OVMF_CODE,
  OVMF_VARS,
  qemuArgs,
  requireIso,
  SKIP,
  type ShellResult,
} from './test-guest-qemu.ts';

const run = promisify(execFile);
const INSTALL_TIMEOUT_MS = 120_000;

function lastLine(result: ShellResult): string {
  return result.output.trimEnd().split('\n').at(-1) ?? '';
}

// The tests run in order (vitest's default within a file): the UEFI test boots the disk the first one made.
describe.skipIf(SKIP)('test guest install: CD to disk, then boot from the disk', () => {
  let dir: string;
  let guest: Guest | undefined;
  /** The disk the first test installed onto; the UEFI test boots it again. */
  let installedDisk: string | undefined;

  beforeAll(async () => {
    requireIso();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'virtweb-install-'));
  });
  afterEach(async () => {
    await guest?.kill();
    guest = undefined;
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('installs from the CD onto an empty virtio qcow2 disk, which then boots without the CD', async () => {
    const disk = path.join(dir, 'disk.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '256M']);
    const drive = `file=${disk},format=qcow2,if=virtio`;

    // 1. The CD first, like a new VM's first start.
    let g = (guest = new Guest(
      qemuArgs(['-cdrom', ISO, '-drive', drive, '-boot', 'order=dc'], { machine: 'q35' }),
    ));
    let boot = await g.waitForBoot();
    console.log(`CD boot: "${boot.line}" after ${g.seconds()} s`);
    expect(boot.bootedFrom).toBe('cdrom');

    const started = performance.now();
    const install = await g.sh('install', INSTALL_TIMEOUT_MS, boot.end);
    console.log(`install took ${((performance.now() - started) / 1000).toFixed(1)} s:\n${install.output}`);
    expect(install.status).toBe(0);
    expect(lastLine(install)).toBe('virtweb install complete: /dev/vda');
    expect(install.output).toContain('virtweb install: writing ');

    // Pull the plug rather than power off (which flushes everything anyway): install must have made the disk
    // flush its cache itself, or qemu loses the new qcow2 cluster mappings with its process.
    await g.kill();
    guest = undefined;
    // The disk holds the ISO, byte for byte, and zeros after it (qemu-img compare allows that, unless -s).
    await run('qemu-img', ['compare', '-f', 'qcow2', '-F', 'raw', disk, ISO]);

    // 2. No CD drive at all, the disk first: the guest comes up from the disk.
    g = guest = new Guest(qemuArgs(['-drive', drive, '-boot', 'order=c'], { machine: 'q35' }));
    boot = await g.waitForBoot();
    console.log(`disk boot: "${boot.line}" after ${g.seconds()} s`);
    expect(boot.bootedFrom).toBe('disk');
    expect(boot.line).toContain('BIOS');
    installedDisk = disk;

    // Booted from the disk, the only disk is the install medium: nothing to install to.
    const again = await g.sh('install', INSTALL_TIMEOUT_MS, boot.end);
    expect(again.status).toBe(1);
    expect(lastLine(again)).toMatch(/^virtweb install failed: no disk to install to: .*\/dev\/vda$/);
  }, 300_000);

  it('the installed disk boots under UEFI (OVMF) too', async (ctx) => {
    if (!existsSync(OVMF_CODE)) ctx.skip(); // scripts/setup installs Debian's ovmf
    if (!installedDisk) throw new Error('the install test did not leave an installed disk behind');
    const vars = path.join(dir, 'OVMF_VARS.fd');
    await fs.copyFile(OVMF_VARS, vars);
    const firmware = [
      ...['-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`],
      ...['-drive', `if=pflash,format=raw,unit=1,file=${vars}`],
    ];
    const drive = `file=${installedDisk},format=qcow2,if=virtio`;
    // NOTE: GRUB 2.06 under UEFI needs >= 256 MiB to load the kernel (see scripts/build-test-guest).
    const g = (guest = new Guest(
      qemuArgs([...firmware, '-drive', drive], { machine: 'q35', memoryMiB: 512 }),
    ));
    const boot = await g.waitForBoot(180_000);
    console.log(`UEFI disk boot: "${boot.line}" after ${g.seconds()} s`);
    expect(boot.bootedFrom).toBe('disk');
    expect(boot.line).toContain('UEFI');
    const efi = await g.sh('test -d /sys/firmware/efi', 20_000, boot.end);
    expect(efi.status).toBe(0);
  }, 240_000);

  it('refuses a disk too small for the image, and the medium as its own target, before writing', async () => {
    const small = path.join(dir, 'small.raw');
    await fs.writeFile(small, Buffer.alloc(1024 * 1024));
    const isoBytes = (await fs.stat(ISO)).size;
    // A SATA disk (/dev/sda: if=ide is q35's AHCI) next to the SATA CD (/dev/sr0).
    const g = (guest = new Guest(
      qemuArgs(['-cdrom', ISO, '-drive', `file=${small},format=raw,if=ide,index=0`, '-boot', 'order=d'], {
        machine: 'q35',
      }),
    ));
    const boot = await g.waitForBoot();
    expect(boot.bootedFrom).toBe('cdrom');

    const tooSmall = await g.sh('install', INSTALL_TIMEOUT_MS, boot.end);
    expect(tooSmall.status).toBe(1);
    expect(lastLine(tooSmall)).toBe(
      `virtweb install failed: /dev/sda is too small: 1048576 bytes, the image needs ${isoBytes}`,
    );
    const self = await g.sh('install /dev/sr0 /dev/sr0', INSTALL_TIMEOUT_MS, tooSmall.end);
    expect(self.status).toBe(1);
    expect(lastLine(self)).toBe(
      'virtweb install failed: /dev/sr0 is the install medium itself (or holds it)',
    );

    g.type('poweroff\n');
    expect(await g.exit(30_000)).toEqual({ code: 0, signal: null });
    guest = undefined;
    expect((await fs.readFile(small)).every((b) => b === 0)).toBe(true);
  }, 180_000);
});
