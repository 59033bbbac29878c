// The IPv4 subnets the host already uses (its routes and its interfaces' addresses): a managed network's
// subnet must not overlap any of them.
import { ip } from './bridge-link.ts';
import { parseCidr, type Cidr } from './ipv4.ts';

export interface HostSubnet {
  cidr: Cidr;
  /** How it is in use, for the refusal: `route 10.0.0.0/8 via eth0`, `address 192.0.2.2/24 on eth0`. */
  what: string;
}

interface RouteRow {
  dst?: string;
  dev?: string;
}
interface AddrRow {
  ifname?: string;
  addr_info?: { local?: string; prefixlen?: number }[];
}

/**
 * The host's subnets from `ip -j -4 route` and `ip -j -4 addr`, leaving out interfaces in `ignore` (the
 * bridges of virtweb's own networks, checked against their definitions instead). Default routes are not
 * subnets a network could clash with.
 */
export async function hostSubnets(ignore: ReadonlySet<string>): Promise<HostSubnet[]> {
  const [routes, addrs] = await Promise.all([
    ip(['-j', '-4', 'route', 'show', 'table', 'all']).then((t) => JSON.parse(t) as RouteRow[]),
    ip(['-j', '-4', 'addr', 'show']).then((t) => JSON.parse(t) as AddrRow[]),
  ]);
  const out: HostSubnet[] = [];
  for (const r of routes) {
    if (r.dst === undefined || r.dst === 'default' || (r.dev !== undefined && ignore.has(r.dev))) continue;
    const dst = r.dst.includes('/') ? r.dst : `${r.dst}/32`;
    const cidr = tryCidr(dst);
    // Loopback and multicast/broadcast entries of the local table are not networks.
    if (cidr && cidr.prefix > 0 && !dst.startsWith('127.') && !(cidr.network >= 0xe0000000)) {
      out.push({ cidr, what: `route ${dst}${r.dev ? ` on ${r.dev}` : ''}` });
    }
  }
  for (const a of addrs) {
    if (a.ifname === undefined || ignore.has(a.ifname) || a.ifname === 'lo') continue;
    for (const info of a.addr_info ?? []) {
      if (info.local === undefined || info.prefixlen === undefined) continue;
      const cidr = tryCidr(`${info.local}/${info.prefixlen}`);
      if (cidr) out.push({ cidr, what: `address ${info.local}/${info.prefixlen} on ${a.ifname}` });
    }
  }
  return out;
}

function tryCidr(text: string): Cidr | undefined {
  try {
    return parseCidr(text, false);
  } catch {
    return undefined;
  }
}
