import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';

/** The names and addresses a certificate for this host lists as subject alternative names. */
export interface HostNames {
  dns: string[];
  ips: string[];
}

/** A DNS name a certificate may carry (letters, digits, `-`, dots between labels). */
const DNS_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
/** How long the FQDN lookup may take: a broken resolver must not hold up the first start. */
const FQDN_LOOKUP_MS = 2000;

/**
 * This host's names (hostname, its FQDN when the resolver knows one, `localhost`) and addresses (every
 * interface's, link-local IPv6 left out as a browser cannot use it in a URL without its zone, plus 127.0.0.1
 * and ::1).
 */
export async function hostNames(
  hostname = os.hostname(),
  interfaces = os.networkInterfaces(),
): Promise<HostNames> {
  const names = [hostname, await fqdnOf(hostname), 'localhost'];
  const addresses = Object.values(interfaces)
    .flat()
    .flatMap((i) => (i === undefined || i.internal ? [] : [i.address]))
    .filter((a) => !/^fe80:/i.test(a));
  return {
    dns: unique(
      names.filter((n): n is string => n !== undefined && DNS_NAME.test(n)).map((n) => n.toLowerCase()),
    ),
    ips: unique([...addresses, '127.0.0.1', '::1'].filter((a) => net.isIP(a) !== 0)),
  };
}

/** The fully qualified name the resolver gives the hostname's address (as `hostname -f`), if it has dots. */
async function fqdnOf(hostname: string): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const lookup = async (): Promise<string | undefined> => {
    const { address } = await dns.lookup(hostname);
    const { hostname: name } = await dns.lookupService(address, 0);
    return name.includes('.') && name !== hostname ? name : undefined;
  };
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), FQDN_LOOKUP_MS);
  });
  try {
    return await Promise.race([lookup().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const unique = (items: string[]): string[] => [...new Set(items)];
