import { describe, expect, it } from 'vitest';
import { logHints } from './log-hints.ts';

describe('qemu.log hints', () => {
  it('explains KVM, image locks and missing firmware in plain words', () => {
    const log = [
      'qemu-system-x86_64: error: failed to set MSR 0x10a to 0x69',
      'qemu-system-x86_64: -blockdev {...}: Failed to get "write" lock\nIs another process using the image [/d/a.qcow2]?',
      'qemu-system-x86_64: -drive if=pflash,file=/usr/share/OVMF/OVMF_CODE_4M.fd: Could not open',
    ].join('\n');
    const hints = logHints(log).map((h) => h.hint);
    expect(hints[0]).toMatch(/TCG/);
    expect(hints[1]).toMatch(/locked/);
    expect(hints[2]).toMatch(/ovmf/);
    expect(logHints('all fine')).toEqual([]);
  });

  it('explains what qemu, as an unprivileged user, may not open', () => {
    const denied = logHints(
      "qemu-system-x86_64: -blockdev {}: Could not open '/srv/x.qcow2': Permission denied",
    );
    expect(denied.map((h) => h.hint)).toEqual([expect.stringMatching(/unprivileged user/)]);
    const tun = logHints(
      'qemu-system-x86_64: -netdev tap,id=net0,ifname=tap0: could not configure /dev/net/tun (tap0): Operation not permitted',
    );
    expect(tun.map((h) => h.hint)).toEqual([expect.stringMatching(/ip tuntap add/)]);
  });
});
