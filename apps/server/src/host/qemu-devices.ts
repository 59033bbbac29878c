// The device nodes and taps qemu opens itself, checked as the user qemu runs as.
import fs from 'node:fs/promises';
import { tapOwner } from './host-network.ts';
import type { QemuAccess } from './qemu-access.ts';

/** Whether /dev/kvm exists and the user qemu runs as may open it read-write. */
export async function devKvmStatus(access: QemuAccess): Promise<{ exists: boolean; accessible: boolean }> {
  const exists = await fs.stat('/dev/kvm').then(
    () => true,
    () => false,
  );
  return { exists, accessible: exists && (await access.canReadWrite('/dev/kvm')) };
}

/** Plain words for a /dev/kvm that qemu's user cannot open. */
export async function devKvmDenied(access: QemuAccess): Promise<string> {
  const s = await access.user.status();
  return s.kind === 'user'
    ? `/dev/kvm is not readable and writable by qemu's user ${s.name}: on Debian, udev makes it root:kvm 0660 ` +
        "and kvm is that user's group (where udev does not run: chgrp kvm /dev/kvm; chmod 0660 /dev/kvm)"
    : `/dev/kvm is not readable and writable by the server's user ${s.name}, which qemu runs as: add it to ` +
        'the kvm group';
}

/**
 * Why qemu could not open the guest's tap, if it could not: /dev/net/tun must be read-write for qemu's user
 * (Debian's udev makes it 0666), and an existing tap (`tap` mode) must be that user's or its group's.
 */
export async function tapAccessProblem(
  access: QemuAccess,
  network: { mode: string; tap?: string },
): Promise<string | undefined> {
  if (network.mode !== 'bridge' && network.mode !== 'tap') return undefined;
  const s = await access.user.status();
  if (s.kind === 'unusable') return undefined; // the start is refused for that, with its own words
  if (!(await access.canReadWrite('/dev/net/tun'))) {
    return (
      `/dev/net/tun is not readable and writable by ${s.name}, the user qemu runs as (Debian's udev makes it ` +
      '0666; scripts/setup sets that where udev does not run)'
    );
  }
  if (network.mode !== 'tap' || network.tap === undefined) return undefined;
  // NOTE: the kernel's rule (tun_not_capable): without CAP_NET_ADMIN, a set owner must be the caller and a set
  // group one of its groups; a tap with neither is anyone's.
  const owner = await tapOwner(network.tap);
  const groups = [s.gid, ...(s.kind === 'server' ? (process.getgroups?.() ?? []) : [])];
  if ((owner.uid === null || owner.uid === s.uid) && (owner.gid === null || groups.includes(owner.gid)))
    return undefined;
  return (
    `tap ${network.tap} is not ${s.name}'s, the user qemu runs as, so qemu cannot open it: make it with ` +
    `ip tuntap add dev ${network.tap} mode tap user ${s.name}`
  );
}
