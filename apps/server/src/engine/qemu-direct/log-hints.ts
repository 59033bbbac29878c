import type { LogHint } from '@virtweb/protocol';

/** Common qemu failures and what to do about them, in plain words. */
const RULES: { pattern: RegExp; hint: string }[] = [
  {
    pattern:
      /Could not access KVM kernel module|failed to initialize kvm|failed to set MSR|kvm_buf_set_msrs/i,
    hint: 'KVM is not usable here: set the accelerator to auto or TCG (software emulation; the classic -no-kvm advice).',
  },
  {
    pattern: /Failed to get "write" lock|Is another process using the image/i,
    hint: 'The disk image is locked by another process (another guest or a qemu-img job): stop that one first.',
  },
  {
    pattern: /failed to find romfile|Could not open option rom|could not load PC BIOS|OVMF/i,
    hint: 'Firmware is missing: install the Debian packages ovmf (UEFI) and seabios / ipxe-qemu (BIOS, option ROMs).',
  },
  {
    pattern: /cannot set up guest memory|Cannot allocate memory/i,
    hint: 'The host has not enough free memory for this guest: lower its memory or stop other guests.',
  },
  {
    pattern: /Could not open '([^']+)': No such file or directory/i,
    hint: 'An image file the guest uses is gone: check the disks and the CD in its settings.',
  },
  {
    pattern: /Could not open '[^']+': Permission denied/i,
    hint:
      'qemu runs as an unprivileged user (the host page says which) and may not open that file: the server ' +
      'grants it the guest’s own images; files outside the data dir must be readable by that user themselves.',
  },
  {
    pattern: /\/dev\/net\/tun.*(Permission denied|Operation not permitted)/i,
    hint:
      'qemu’s user cannot open the tap: /dev/net/tun must be read-write for it (0666, as Debian’s udev makes ' +
      'it), and a tap made by hand must be that user’s (ip tuntap add dev NAME mode tap user USER).',
  },
  {
    pattern: /terminating on signal (\d+)/i,
    hint: 'qemu was stopped by a signal (kill): that is a clean shutdown for SIGTERM, like the power button.',
  },
];

/** The hints that apply to a qemu.log text, one per rule, with the line that triggered it. */
export function logHints(text: string): LogHint[] {
  const lines = text.split('\n');
  const out: LogHint[] = [];
  for (const rule of RULES) {
    const line = lines.findLast((l) => rule.pattern.test(l));
    if (line !== undefined) out.push({ match: line.trim(), hint: rule.hint });
  }
  return out;
}
