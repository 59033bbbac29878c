import fs from 'node:fs/promises';
import path from 'node:path';
import { BRIDGE_TAP } from './bridge-taps.ts';

/** Host interfaces a guest NIC can be connected to. */
export interface HostNetwork {
  /** Linux bridges (`/sys/class/net/<if>/bridge` exists): the server puts a tap of the guest's on one. */
  bridges: string[];
  /**
   * tun/tap devices (`/sys/class/net/<if>/tun_flags` exists) that a guest can open with `-netdev tap`; not the
   * `vw<id>` taps the server makes for bridged guests.
   */
  taps: string[];
}

/** Lists the bridges and taps under `sysClassNet` (sorted; an unreadable directory lists nothing). */
export async function hostNetwork(sysClassNet = '/sys/class/net'): Promise<HostNetwork> {
  const names = await fs.readdir(sysClassNet).catch(() => [] as string[]);
  const has = (name: string, entry: string) =>
    fs.access(path.join(sysClassNet, name, entry)).then(
      () => true,
      () => false,
    );
  const facts = await Promise.all(
    names.map(async (name) => ({
      name,
      bridge: await has(name, 'bridge'),
      tap: await has(name, 'tun_flags'),
    })),
  );
  const sorted = (list: string[]) => list.sort((a, b) => a.localeCompare(b));
  return {
    bridges: sorted(facts.filter((f) => f.bridge).map((f) => f.name)),
    taps: sorted(facts.filter((f) => f.tap && !BRIDGE_TAP.test(f.name)).map((f) => f.name)),
  };
}

/** A tap's owner and group (`ip tuntap add ... user U group G`); null for none (then only root may attach). */
export async function tapOwner(
  tap: string,
  sysClassNet = '/sys/class/net',
): Promise<{ uid: number | null; gid: number | null }> {
  const read = async (entry: string): Promise<number | null> => {
    const text = await fs.readFile(path.join(sysClassNet, tap, entry), 'utf8').catch(() => '-1');
    const n = Number.parseInt(text.trim(), 10);
    return Number.isInteger(n) && n >= 0 ? n : null;
  };
  return { uid: await read('owner'), gid: await read('group') };
}
