// Boots the test guest ISO made by scripts/build-test-guest (scripts/setup builds it into .cache/) under
// qemu TCG and talks to its serial console: where it says it booted from, the marker line, a shell round
// trip, and a clean poweroff.
import { afterEach, describe, expect, it } from 'vitest';
import { Guest, INITRD, ISO, KERNEL, MARKER, qemuArgs, requireIso, SKIP } from './test-guest-qemu.ts';

if (SKIP) console.warn('VIRTWEB_TEST_ISO is set to the empty string: skipping the test guest boot tests');

describe.skipIf(SKIP)('test guest (tinylinux) under qemu TCG', () => {
  let guest: Guest | undefined;

  afterEach(async () => {
    await guest?.kill();
    guest = undefined;
  });

  it('boots as a CD, answers on the serial shell and powers off with exit code 0', async () => {
    requireIso();
    const g = (guest = new Guest(qemuArgs(['-cdrom', ISO])));
    const boot = await g.waitForBoot();
    console.log(`tinylinux (BIOS, -cdrom) printed "${MARKER}" after ${g.seconds()} s; "${boot.line}"`);
    expect(boot.bootedFrom).toBe('cdrom');

    g.type('echo hi-$RANDOM\n');
    const at = await g.waitFor(/^hi-\d+\r?$/m, 20_000, boot.end);
    expect(g.output.slice(0, at)).toMatch(/\nhi-\d+\r?$/);

    g.type('poweroff\n');
    const exit = await g.exit(30_000);
    console.log(`tinylinux powered off, qemu exited after ${g.seconds()} s in all`);
    expect(exit).toEqual({ code: 0, signal: null });
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
