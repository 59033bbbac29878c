// Boots the test guest ISO made by scripts/build-test-guest (scripts/setup builds it into .cache/) under
// qemu TCG and talks to its serial console: where it says it booted from, the marker line, a shell round
// trip, a clean poweroff, and the drivers of the devices the wizard's machine (q35) and presets give a guest.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Guest, INITRD, ISO, KERNEL, MARKER, qemuArgs, requireIso, SKIP } from './test-guest-qemu.ts';

const VIRTIOFSD = '/usr/lib/qemu/virtiofsd'; // Debian's qemu-system-common

if (SKIP) console.warn('VIRTWEB_TEST_ISO is set to the empty string: skipping the test guest boot tests');

describe.skipIf(SKIP)('test guest (tinylinux) under qemu TCG', () => {
  let guest: Guest | undefined;
  let virtiofsd: ChildProcess | undefined;
  let shareDir: string | undefined;

  afterEach(async () => {
    await guest?.kill();
    guest = undefined;
    virtiofsd?.kill('SIGKILL');
    virtiofsd = undefined;
    if (shareDir !== undefined) await fs.rm(shareDir, { recursive: true, force: true });
    shareDir = undefined;
  });

  /** A virtiofsd sharing a new temporary directory (its `share/`); resolves once its socket is there. */
  async function startVirtiofsd(): Promise<{ share: string; socket: string }> {
    shareDir = await fs.mkdtemp(path.join(os.tmpdir(), 'virtweb-virtiofs-'));
    const share = path.join(shareDir, 'share');
    const socket = path.join(shareDir, 'fs.sock');
    await fs.mkdir(share);
    virtiofsd = spawn(
      VIRTIOFSD,
      [`--socket-path=${socket}`, '-o', `source=${share}`, '-o', 'sandbox=namespace'],
      {
        stdio: 'ignore',
      },
    );
    for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 25));
    if (!existsSync(socket)) throw new Error(`${VIRTIOFSD} made no socket ${socket}`);
    return { share, socket };
  }

  it('boots as a CD, answers on the serial shell and powers off with exit code 0', async () => {
    requireIso();
    const g = (guest = new Guest(qemuArgs(['-cdrom', ISO])));
    const boot = await g.waitForBoot();
    console.log(`tinylinux (BIOS, -cdrom) printed "${MARKER}" after ${g.seconds()} s; "${boot.line}"`);
    expect(boot.bootedFrom).toBe('cdrom');
    expect(g.output).not.toContain('could not load module');

    g.type('echo hi-$RANDOM\n');
    const at = await g.waitFor(/^hi-\d+\r?$/m, 20_000, boot.end);
    expect(g.output.slice(0, at)).toMatch(/\nhi-\d+\r?$/);

    g.type('poweroff\n');
    const exit = await g.exit(30_000);
    console.log(`tinylinux powered off, qemu exited after ${g.seconds()} s in all`);
    expect(exit).toEqual({ code: 0, signal: null });
  }, 150_000);

  it('on q35 finds its SATA CD and disk, virtio-scsi and USB disks, e1000/e1000e/rtl8139 NICs, RNG, watchdog and virtiofs', async () => {
    requireIso();
    // NOTE: Debian's virtiofsd (C, qemu 7.2) needs root for its namespace sandbox: else no virtiofs here.
    const fsd = process.getuid?.() === 0 && existsSync(VIRTIOFSD) ? await startVirtiofsd() : undefined;
    if (fsd) await fs.writeFile(path.join(fsd.share, 'from-host.txt'), 'written on the host\n');
    else console.warn(`not root or no ${VIRTIOFSD}: the q35 driver test skips virtiofs`);
    const blank = (id: string) => ['-blockdev', `driver=null-co,node-name=${id},size=${16 * 2 ** 20}`];
    const g = (guest = new Guest(
      qemuArgs(
        [
          ...['-cdrom', ISO],
          ...[...blank('sata'), '-device', 'ide-hd,drive=sata,bus=ide.1'],
          ...[
            '-device',
            'virtio-scsi-pci,id=scsi',
            ...blank('scsi'),
            '-device',
            'scsi-hd,drive=scsi,bus=scsi.0',
          ],
          ...['-device', 'qemu-xhci,id=xhci', ...blank('usb'), '-device', 'usb-storage,drive=usb,bus=xhci.0'],
          ...['e1000', 'e1000e', 'rtl8139'].flatMap((model) => ['-nic', `user,model=${model}`]),
          ...['-device', 'virtio-rng-pci', '-device', 'i6300esb'],
          ...(fsd === undefined
            ? []
            : [
                // virtiofs needs the guest RAM shared with virtiofsd (see packages/qemu/src/argv-shared-folders.ts).
                ...['-object', 'memory-backend-memfd,id=mem0,size=256M,share=on'],
                ...['-chardev', `socket,id=fs0,path=${fsd.socket}`],
                ...['-device', 'vhost-user-fs-pci,chardev=fs0,tag=share0'],
              ]),
        ],
        { machine: fsd === undefined ? 'q35' : 'q35,memory-backend=mem0' },
      ),
    ));
    const boot = await g.waitForBoot();
    expect(boot.bootedFrom).toBe('cdrom');
    expect(g.output).not.toContain('could not load module');
    // A wide terminal: busybox's line editing wraps what it echoes at the terminal's width (80 on a serial line).
    const wide = await g.sh('stty cols 1000', 20_000, boot.end);
    // usb-storage waits a second before it scans a new device: wait for all three disks.
    const wait = await g.sh(
      'for i in $(seq 30); do [ "$(ls -d /sys/block/sd* | wc -l)" = 3 ] && break; sleep 1; done',
      60_000,
      wide.end,
    );
    // Each disk by the controller it hangs off: sysfs paths name ata<N> (AHCI), virtio<N> or usb<N>.
    const disks = await g.sh(
      'for d in /sys/block/sd* /sys/block/sr*; do p=$(readlink -f $d/device); echo "${d##*/} $(echo $p | grep -o -m1 -E "/(ata|virtio|usb)[0-9]+/" | tr -d /0-9)"; done',
      20_000,
      wait.end,
    );
    // (Which of them is sda, sdb or sdc depends on which controller is probed first.)
    const byDisk = disks.output
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    expect(
      byDisk
        .filter(([d]) => d?.startsWith('sd'))
        .map(([, via]) => via)
        .sort(),
    ).toEqual(['ata', 'usb', 'virtio']);
    expect(byDisk.find(([d]) => d === 'sr0')?.[1]).toBe('ata');
    const nics = await g.sh(
      'for n in /sys/class/net/eth*; do basename $(readlink $n/device/driver); done | sort',
      20_000,
      disks.end,
    );
    expect(nics.output.trim().split('\n')).toEqual(['8139cp', 'e1000', 'e1000e']);
    const rest = await g.sh(
      'cat /sys/class/misc/hw_random/rng_current /sys/class/watchdog/watchdog0/identity',
      20_000,
      nics.end,
    );
    expect(rest.output.trim().split('\n')).toEqual(['virtio_rng.0', 'i6300ESB timer']);
    if (fsd === undefined) return;
    const shared = await g.sh(
      'mkdir -p /mnt/s && mount -t virtiofs share0 /mnt/s && cat /mnt/s/from-host.txt && echo guest > /mnt/s/from-guest.txt && sync',
      30_000,
      rest.end,
    );
    expect(shared.status).toBe(0);
    expect(shared.output.trim()).toBe('written on the host');
    expect(await fs.readFile(path.join(fsd.share, 'from-guest.txt'), 'utf8')).toBe('guest\n');
  }, 150_000);

  it('boots as a read-only virtio disk', async () => {
    requireIso();
    const g = (guest = new Guest(qemuArgs(['-drive', `file=${ISO},format=raw,if=virtio,readonly=on`])));
    const boot = await g.waitForBoot();
    console.log(`tinylinux (BIOS, virtio disk) printed "${MARKER}" after ${g.seconds()} s; "${boot.line}"`);
    expect(boot.bootedFrom).toBe('disk');
  }, 120_000);

  it('boots its kernel and initramfs directly (no GRUB) and says so', async () => {
    requireIso();
    const g = (guest = new Guest(
      qemuArgs([
        '-kernel',
        KERNEL,
        '-initrd',
        INITRD,
        '-append',
        'console=tty0 console=ttyS0,115200 quiet no_timer_check',
      ]),
    ));
    const boot = await g.waitForBoot();
    console.log(`tinylinux (direct kernel boot) printed "${MARKER}" after ${g.seconds()} s; "${boot.line}"`);
    expect(boot.bootedFrom).toBe('kernel');
    const { status, output } = await g.sh('cat /run/virtweb-boot', 20_000, boot.end);
    expect(status).toBe(0);
    expect(output.trim()).toMatch(/^kernel /);
  }, 120_000);
});
