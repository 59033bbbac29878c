// Whether this server may make bridges, nftables tables and run dnsmasq: CAP_NET_ADMIN in its effective set.
import { readFileSync } from 'node:fs';

const CAP_NET_ADMIN = 12n;

/** null when it may; else why not, as the list answer and the UI say it. */
export function networkPrivilegeProblem(status = readStatus()): string | null {
  const hex = /^CapEff:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (hex !== undefined && ((BigInt(`0x${hex}`) >> CAP_NET_ADMIN) & 1n) === 1n) return null;
  return (
    'the server lacks CAP_NET_ADMIN (it is not root): it cannot create bridges, so managed NAT and isolated ' +
    'networks are unavailable; guests keep user-mode NAT (run the server as root, or give its service ' +
    'AmbientCapabilities=CAP_NET_ADMIN)'
  );
}

function readStatus(): string {
  try {
    return readFileSync('/proc/self/status', 'utf8');
  } catch {
    return '';
  }
}
