// dnsmasq's lease file: one lease a line, `<expiry epoch s> <mac> <ip> <hostname|*> <client id|*>`.
import fs from 'node:fs/promises';
import type { DhcpLease } from '@virtweb/protocol';

/** The leases in `text`; lines that do not read as a lease are skipped. */
export function parseLeases(text: string): DhcpLease[] {
  const leases: DhcpLease[] = [];
  for (const line of text.split('\n')) {
    const [expiry, mac, ip, hostname] = line.trim().split(/\s+/);
    if (expiry === undefined || mac === undefined || ip === undefined || !/^\d+$/.test(expiry)) continue;
    if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac) || !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) continue;
    const seconds = Number(expiry);
    leases.push({
      // dnsmasq writes 0 for a lease that never ends.
      expiresAt: seconds === 0 ? null : new Date(seconds * 1000).toISOString(),
      mac: mac.toLowerCase(),
      ip,
      hostname: hostname === undefined || hostname === '*' ? null : hostname,
    });
  }
  return leases;
}

/** The leases in the file; none when it does not exist (yet). */
export async function readLeases(file: string): Promise<DhcpLease[]> {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  return parseLeases(text);
}
