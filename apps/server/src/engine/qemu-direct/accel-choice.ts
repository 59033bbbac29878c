import { ErrorCode, type Accel, type KvmStatus, type ResolvedAccel } from '@virtweb/protocol';
import { Conflict } from '../../domain/errors.ts';

export interface AccelChoice {
  accel: ResolvedAccel;
  /** Why TCG was picked for a guest that did not ask for it (shown on the guest's page). */
  reason: string | undefined;
}

/**
 * Resolves a guest's accelerator: its own choice, else the server default (VIRTWEB_ACCEL), where `auto` means
 * KVM only when the probe found it usable — the `-no-kvm` fallback, with the probe's reason.
 * @throws Conflict when KVM is asked for explicitly and /dev/kvm is not there at all.
 */
export function chooseAccel(requested: Accel, serverDefault: Accel, kvm: KvmStatus | undefined): AccelChoice {
  const wanted = requested === 'auto' ? serverDefault : requested;
  if (wanted === 'tcg') {
    return {
      accel: 'tcg',
      reason: requested === 'tcg' ? undefined : 'TCG is the server default (VIRTWEB_ACCEL=tcg)',
    };
  }
  if (!kvm) throw new Error('chooseAccel needs the KVM probe result unless TCG is wanted');
  if (wanted === 'kvm') {
    if (!kvm.present)
      throw new Conflict(ErrorCode.qemuFailed, `KVM was requested but is not available: ${kvm.reason}`);
    return { accel: 'kvm', reason: undefined };
  }
  return kvm.usable ? { accel: 'kvm', reason: undefined } : { accel: 'tcg', reason: kvm.reason };
}
