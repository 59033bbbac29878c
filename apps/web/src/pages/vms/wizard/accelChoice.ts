import type { Accel, HostInfo, ResolvedAccel } from '@virtweb/protocol';

type HostAccel = Pick<HostInfo, 'accel'>;

/** What a guest that asks for `auto` gets here: the server default (VIRTWEB_ACCEL), else the probe's answer. */
export function autoResolvesTo(host: HostAccel): ResolvedAccel {
  return host.accel.default === 'auto' ? host.accel.auto : host.accel.default;
}

/** Whether the accelerator choice ends up as KVM on this host. */
export function usesKvm(accel: Accel, host: HostAccel): boolean {
  return accel === 'kvm' || (accel === 'auto' && autoResolvesTo(host) === 'kvm');
}
