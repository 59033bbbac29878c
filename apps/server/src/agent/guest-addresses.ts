// A running guest's IP addresses, merged from what tells them: its guest agent (and, later, DHCP leases).
import { isIPv4, isIPv6 } from 'node:net';
import type { GuestInterface } from '@virtweb/protocol';

/** Where a guest's addresses come from; each source is optional. */
export interface AddressSources {
  /** The interfaces its guest agent reports. */
  agent?: readonly GuestInterface[] | undefined;
  /** Addresses handed out by a DHCP server virtweb runs (managed networks' leases). */
  leases?: readonly string[] | undefined;
}

/**
 * The addresses worth showing, IPv4 first, each once: loopback (127/8, ::1), link-local (169.254/16, fe80::/10)
 * and unspecified addresses are left out. Pure.
 */
export function guestAddresses(sources: AddressSources): string[] {
  const all = [
    ...(sources.agent ?? []).flatMap((i) => i.addresses.map((a) => a.address)),
    ...(sources.leases ?? []),
  ];
  const shown = [...new Set(all)].filter(isShown);
  return [...shown.filter((a) => isIPv4(a)), ...shown.filter((a) => !isIPv4(a))];
}

function isShown(address: string): boolean {
  if (isIPv4(address)) return !/^(127\.|169\.254\.|0\.0\.0\.0$)/.test(address);
  if (!isIPv6(address)) return false;
  const a = address.toLowerCase();
  return a !== '::1' && a !== '::' && !/^fe[89ab][0-9a-f]:/.test(a);
}
