// The guest's NIC: a `-netdev` backend (user-mode NAT, host bridge, existing tap) and its `-device` model.
import { isIPv4 } from 'node:net';
import { isOneOf, type Fail } from './argv-opts.ts';
import type { NetworkSpec } from './spec.ts';

/** qemu's names for the guest's one NIC: the `-netdev` backend and the `-device`. */
export const NIC_IDS = { netdev: 'net0', device: 'net0-nic' } as const;

/** What a spec without `network` gets: user-mode NAT, virtio NIC, no port forwards. */
export const DEFAULT_NETWORK: NetworkSpec = { mode: 'user', model: 'virtio', portForwards: [] };

const NIC_DEVICES = { virtio: 'virtio-net-pci', e1000: 'e1000' } as const;

// Linux IFNAMSIZ is 16 including the NUL. The character set keeps names free of QemuOpts commas.
const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

/** `-netdev` + `-device` for the guest's NIC; nothing for `none`. */
export function networkArgs(network: NetworkSpec): string[] {
  if (network.mode === 'none') return [];
  // NOTE: romfile= (empty) skips the PXE option ROM: Debian's ipxe-qemu package may not be installed, and then
  // qemu refuses to start ("failed to find romfile"). We never PXE boot.
  const device = `${NIC_DEVICES[network.model]},netdev=${NIC_IDS.netdev},id=${NIC_IDS.device},romfile=`;
  return ['-netdev', netdevOpts(network), '-device', device];
}

function netdevOpts(network: Exclude<NetworkSpec, { mode: 'none' }>): string {
  const id = NIC_IDS.netdev;
  switch (network.mode) {
    case 'user':
      // NOTE: hostfwd may repeat (qemu collects the values into a list): hostfwd=tcp:127.0.0.1:2222-:22 forwards
      // host port 2222 to guest port 22 at the guest's DHCP address (10.0.2.15).
      return [
        `user,id=${id}`,
        ...network.portForwards.map(
          (f) => `hostfwd=${f.protocol}:${f.hostAddress}:${f.hostPort}-:${f.guestPort}`,
        ),
      ].join(',');
    case 'bridge':
      // NOTE: not `-netdev bridge`: that forks the setuid qemu-bridge-helper, and qemu's sandbox (spawn=deny)
      // kills qemu with SIGSYS at the fork. The caller has made `tap` and put it on the bridge already.
      return tapOpts(network.tap);
    case 'tap':
      // The host's admin created and wired this tap (owned by qemu's user, or qemu cannot open it).
      return tapOpts(network.tap);
  }
}

// script=no/downscript=no: use the tap as it is; running ifup scripts is a fork, which the sandbox forbids.
function tapOpts(tap: string): string {
  return `tap,id=${NIC_IDS.netdev},ifname=${tap},script=no,downscript=no`;
}

/** NIC model, interface names, and port forwards (addresses, ports, no host port used twice). */
export function validateNetwork(network: NetworkSpec, fail: Fail): void {
  if (!isOneOf(network.mode, ['none', 'user', 'bridge', 'tap']))
    fail(`network mode must be none, user, bridge or tap: ${network.mode}`);
  if (network.mode === 'none') return;
  if (!isOneOf(network.model, Object.keys(NIC_DEVICES)))
    fail(`NIC model must be virtio or e1000: ${network.model}`);
  if (network.mode === 'bridge' && !INTERFACE_NAME.test(network.bridge))
    fail(`not a bridge interface name (1-15 of A-Z a-z 0-9 _ . -): ${network.bridge}`);
  if ((network.mode === 'tap' || network.mode === 'bridge') && !INTERFACE_NAME.test(network.tap))
    fail(`not a tap interface name (1-15 of A-Z a-z 0-9 _ . -): ${network.tap}`);
  if (network.mode !== 'user') return;
  const used = new Set<string>();
  for (const f of network.portForwards) {
    const what = `port forward ${f.protocol} ${f.hostAddress}:${f.hostPort} -> ${f.guestPort}`;
    if (!isOneOf(f.protocol, ['tcp', 'udp'])) fail(`${what}: protocol must be tcp or udp`);
    if (!isIPv4(f.hostAddress)) fail(`${what}: host address must be an IPv4 address`);
    for (const port of [f.hostPort, f.guestPort])
      if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`${what}: ports are 1 to 65535`);
    // Different addresses on one port still clash: 0.0.0.0 covers 127.0.0.1.
    const key = `${f.protocol}:${f.hostPort}`;
    if (used.has(key)) fail(`two port forwards use host ${f.protocol} port ${f.hostPort}`);
    used.add(key);
  }
}
