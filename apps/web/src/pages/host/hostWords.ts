import type { HostInfo, KvmStatus, QemuConfinement, ResolvedAccel } from '@virtweb/protocol';

/** The seed's `egrep '(vmx|svm)' /proc/cpuinfo`, in words. */
export function cpuFlagText(flag: KvmStatus['cpuFlag']): string {
  if (flag === 'vmx') return 'vmx (Intel VT-x)';
  if (flag === 'svm') return 'svm (AMD-V)';
  return 'none: the CPU or the hypervisor does not expose hardware virtualization';
}

export function devKvmText(dev: KvmStatus['devKvm']): string {
  if (dev.exists && dev.accessible) return 'present and accessible';
  if (dev.exists) return 'present, but the user qemu runs as cannot open it (see KVM below)';
  return 'missing: the kvm kernel module is not loaded, or this machine is a VM without nested virtualization';
}

export function probeText(kvm: KvmStatus): string {
  if (kvm.probeMs === null)
    return kvm.usable ? 'usable (no probe guest was run)' : 'not usable (no probe guest was run)';
  return kvm.usable
    ? `works: a tiny probe guest ran under KVM in ${kvm.probeMs} ms`
    : `failed: the probe guest did not run under KVM (${kvm.probeMs} ms)`;
}

export function accelText(accel: ResolvedAccel): string {
  return accel === 'kvm'
    ? 'KVM (hardware virtualization): near-native speed'
    : 'TCG (software emulation): slower, but works everywhere';
}

/** What a new guest that asks for `auto` gets: the server default wins when VIRTWEB_ACCEL is not `auto`. */
export function effectiveAuto(host: HostInfo): { accel: ResolvedAccel; why: string } {
  const { accel } = host;
  if (accel.default !== 'auto') {
    return { accel: accel.default, why: `the server is configured with VIRTWEB_ACCEL=${accel.default}` };
  }
  if (accel.auto === 'kvm') return { accel: 'kvm', why: accel.kvm.reason };
  return {
    accel: 'tcg',
    why: `${accel.kvm.reason.replace(/\.\s*$/, '')}. Like the classic advice to run qemu with -no-kvm: guests still run, only slower.`,
  };
}

/** Who qemu runs as: "virtweb-qemu (uid 999, gid 995)", or the server's own user when it is not root. */
export function qemuUserText(c: QemuConfinement): string {
  if (c.uid === null) return `${c.user}: missing`;
  const ids = `uid ${c.uid}, gid ${c.gid ?? '?'}`;
  return c.serverUser ? `${c.user} (${ids}), the server’s own user` : `${c.user} (${ids}), not root`;
}
