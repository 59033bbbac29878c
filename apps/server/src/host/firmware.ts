import { findOvmf, type OvmfLookup } from '@virtweb/qemu';

/** The OVMF builds on this host (Debian's `ovmf`): what `/api/host` reports and UEFI guests start with. */
export interface HostFirmware {
  uefi: boolean;
  secureBoot: boolean;
  /** Plain UEFI: code + the variable store template. */
  plain: OvmfLookup;
  /** Secure Boot (Microsoft keys enrolled; needs q35). */
  secure: OvmfLookup;
}

/** Looks again on every call (a few stat calls): installing `ovmf` takes effect without a server restart. */
export async function hostFirmware(dir?: string): Promise<HostFirmware> {
  const found = await findOvmf(dir);
  return { uefi: found.uefi.found, secureBoot: found.secure.found, plain: found.uefi, secure: found.secure };
}
