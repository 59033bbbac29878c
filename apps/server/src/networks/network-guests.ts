// The guests on a network, as the VM store knows them (injected: the networks module does not read guests).

/** A guest with at least one NIC on a network: its name, those NICs' MACs, and whether it runs. */
export interface NetworkGuest {
  name: string;
  macs: readonly string[];
  running: boolean;
}

/** The guests with a NIC on `network` (by its name). */
export type GuestsOnNetwork = (network: string) => readonly NetworkGuest[];

/**
 * A guest's name as a DNS label (RFC 1123): lowercase letters, digits and `-`, other characters as `-`, no
 * `-` at either end, at most 63 characters; undefined when nothing is left (a name of only symbols).
 */
export function dnsLabelOf(name: string): string | undefined {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return label === '' ? undefined : label;
}

/** The dhcp-hostsfile entries of these guests: each MAC gets its guest's label; a label used twice only once. */
export function hostEntriesOf(guests: readonly NetworkGuest[]): { mac: string; name: string }[] {
  const seen = new Set<string>();
  const out: { mac: string; name: string }[] = [];
  for (const g of guests) {
    const label = dnsLabelOf(g.name);
    if (label === undefined || seen.has(label)) continue;
    seen.add(label);
    for (const mac of g.macs) {
      if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) out.push({ mac: mac.toLowerCase(), name: label });
    }
  }
  return out;
}
