// What a guest's qemu opens, for the grants to qemu's unprivileged user, and who that qemu runs as.
import { QEMU_SANDBOX, type VmSpec } from '@virtweb/qemu';
import type { QemuFiles } from '../../host/qemu-access.ts';
import type { QemuUserStatus } from '../../host/qemu-user.ts';

/**
 * The files qemu opens for `spec`: disks and the UEFI variable store read-write; backing files (`backing`),
 * CD, kernel and initrd read-only; the way to its run dir (startQemu makes the dir itself the user's). Images
 * the server wrote (as root) since the guest last ran get access this way at its next start.
 */
export function guestFiles(spec: VmSpec, backing: readonly string[], runDir: string): QemuFiles {
  const k = spec.boot === 'kernel' ? spec.kernel : undefined;
  return {
    readWrite: [
      ...spec.disks.map((d) => d.path),
      ...(spec.firmware?.kind === 'uefi' ? [spec.firmware.vars] : []),
    ],
    readOnly: [
      ...backing,
      ...(spec.cdrom === undefined ? [] : [spec.cdrom]),
      ...(k === undefined ? [] : [k.path, ...(k.initrd === undefined ? [] : [k.initrd])]),
    ],
    reach: [runDir],
  };
}

/** Who qemu runs as, under which sandbox: a note of the command line. */
export function confinementNote(s: QemuUserStatus): string {
  const sandbox = `under -sandbox ${QEMU_SANDBOX} (no programs, no privilege changes)`;
  if (s.kind === 'user') return `qemu runs as ${s.name} (uid ${s.uid}), not root, ${sandbox}`;
  if (s.kind === 'server') return `qemu runs as the server's user ${s.name}, ${sandbox}`;
  return `starting will fail: ${s.problem}`;
}
