// IPv4 arithmetic for subnets: parsing, the gateway and DHCP pool of a managed network, overlap checks.

/** `a.b.c.d` as an unsigned 32-bit number. @throws Error when it is not a dotted quad. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${text}`);
  let n = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) throw new Error(`not an IPv4 address: ${text}`);
    n = n * 256 + Number(part);
  }
  return n;
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** A subnet as numbers: its first address (the network) and last (the broadcast), inclusive. */
export interface Cidr {
  network: number;
  prefix: number;
  broadcast: number;
}

/** `a.b.c.d/len`; with `strict`, host bits must be zero. @throws Error naming what is wrong */
export function parseCidr(text: string, strict = true): Cidr {
  const [addr, len, extra] = text.split('/');
  const prefix = Number(len);
  if (addr === undefined || extra !== undefined || !/^\d{1,2}$/.test(len ?? '') || prefix > 32) {
    throw new Error(`not an IPv4 subnet: ${text}`);
  }
  const ip = parseIpv4(addr);
  const size = 2 ** (32 - prefix);
  const network = ip - (ip % size);
  if (strict && network !== ip) {
    throw new Error(`${text} has host bits set: the subnet is ${formatIpv4(network)}/${prefix}`);
  }
  return { network, prefix, broadcast: network + size - 1 };
}

export function formatCidr(c: Cidr): string {
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.network <= b.broadcast && b.network <= a.broadcast;
}

/** Whether `ip` is a host address of `c` (not its network or broadcast address). */
export function isHostOf(c: Cidr, ip: number): boolean {
  return ip > c.network && ip < c.broadcast;
}

/** The bridge's own address: the subnet's first host (libvirt's 192.168.122.1). */
export function gatewayOf(c: Cidr): number {
  return c.network + 1;
}

/** The netmask, `255.255.255.0` for a /24. */
export function netmaskOf(c: Cidr): string {
  return formatIpv4(2 ** 32 - 2 ** (32 - c.prefix));
}

/**
 * The default DHCP pool: the upper half of the subnet's hosts, which leaves the lower half (after the gateway)
 * for fixed addresses; a /24 gives .128–.254.
 */
export function defaultDhcpRange(c: Cidr): { start: string; end: string } {
  const hosts = c.broadcast - c.network - 1;
  const start = c.network + 1 + Math.max(1, Math.floor(hosts / 2));
  return { start: formatIpv4(start), end: formatIpv4(c.broadcast - 1) };
}
