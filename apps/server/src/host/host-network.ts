import fs from 'node:fs/promises';
import path from 'node:path';

/** Host interfaces a guest NIC can be connected to. */
export interface HostNetwork {
  /** Linux bridges (`/sys/class/net/<if>/bridge` exists): `-netdev bridge` through qemu-bridge-helper. */
  bridges: string[];
  /** tun/tap devices (`/sys/class/net/<if>/tun_flags` exists) that a guest can open with `-netdev tap`. */
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
    taps: sorted(facts.filter((f) => f.tap).map((f) => f.name)),
  };
}
