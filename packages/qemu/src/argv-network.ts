// The guest's NICs: per NIC a `-netdev` backend (user-mode NAT or a tap) and its `-device` model, at a fixed
// place per slot so hot-plug and a restart give the guest the same PCI topology.
import { isIPv4 } from 'node:net';
import { deviceOpt, isOneOf, type Fail } from './argv-opts.ts';
import type { Machine } from './argv-disks.ts';
import { NIC_SLOTS, type NicSpec, type PortForwardSpec } from './spec.ts';

/** qemu's names for NIC slot `slot`: the `-netdev` backend, the `-device`, and (q35) its PCIe root port. */
export function nicIds(slot: number): { netdev: string; device: string; port: string } {
  return { netdev: `net${slot}`, device: `net${slot}-nic`, port: `net${slot}-port` };
}

/** What a spec without `nics` gets: one user-mode NAT virtio NIC in slot 0, no port forwards. */
export const DEFAULT_NICS: readonly NicSpec[] = [
  { slot: 0, mode: 'user', model: 'virtio', portForwards: [] },
];

/** qemu's device for each NIC model. */
export const NIC_DEVICES = {
  virtio: 'virtio-net-pci',
  e1000: 'e1000',
  e1000e: 'e1000e',
  rtl8139: 'rtl8139',
} as const;

// Linux IFNAMSIZ is 16 including the NUL. The character set keeps names free of QemuOpts commas.
const INTERFACE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
/** Root ports of NIC slots come after the disks' (chassis 1..8). */
const NIC_CHASSIS_BASE = 9;

/**
 * Where the device of NIC slot `slot` plugs in: on q35 its own PCIe root port (`pcie.0` takes no hot-plugged
 * devices), on pc a fixed slot of `pci.0` (ACPI hot-plug), 0x18 + slot (the disks have 0x10..0x17).
 */
export function nicBus(machine: Machine, slot: number): { bus: string; addr?: string } {
  if (machine === 'q35') return { bus: nicIds(slot).port };
  return { bus: 'pci.0', addr: `0x${(0x18 + slot).toString(16)}` };
}

/** The q35 PCIe root ports, one per NIC slot, so NICs can be hot-plugged into free slots. */
export function nicRootPortArgs(): string[] {
  return Array.from({ length: NIC_SLOTS }, (_, i) => [
    '-device',
    `pcie-root-port,id=${nicIds(i).port},chassis=${NIC_CHASSIS_BASE + i}`,
  ]).flat();
}

export interface NicDeviceProps {
  driver: string;
  netdev: string;
  id: string;
  mac?: string;
  romfile: string;
  bus: string;
  addr?: string;
}

/**
 * The `device_add` properties of a NIC (the `-device` option is the same list). NOTE: romfile= (empty) skips
 * the PXE option ROM: Debian's ipxe-qemu package may not be installed, and then qemu refuses to start ("failed
 * to find romfile"). We never PXE boot. Without `mac` qemu gives every NIC 52:54:00:12:34:56.
 */
export function nicDeviceProps(nic: NicSpec, machine: Machine): NicDeviceProps {
  const ids = nicIds(nic.slot);
  return {
    driver: NIC_DEVICES[nic.model],
    netdev: ids.netdev,
    id: ids.device,
    ...(nic.mac === undefined ? {} : { mac: nic.mac }),
    romfile: '',
    ...nicBus(machine, nic.slot),
  };
}

/** `hostfwd` values of user-mode NAT: `tcp:127.0.0.1:2222-:22` forwards host 2222 to the guest's (10.0.2.15) 22. */
export function hostfwds(forwards: readonly PortForwardSpec[]): string[] {
  return forwards.map((f) => `${f.protocol}:${f.hostAddress}:${f.hostPort}-:${f.guestPort}`);
}

/** `-netdev` + `-device` per NIC, in slot order. */
export function networkArgs(nics: readonly NicSpec[], machine: Machine): string[] {
  return [...nics]
    .sort((a, b) => a.slot - b.slot)
    .flatMap((nic) => [
      '-netdev',
      netdevOpts(nic),
      '-device',
      deviceOpt({ ...nicDeviceProps(nic, machine) }),
    ]);
}

function netdevOpts(nic: NicSpec): string {
  const id = nicIds(nic.slot).netdev;
  switch (nic.mode) {
    case 'user':
      // NOTE: hostfwd may repeat (qemu collects the values into a list).
      return [`user,id=${id}`, ...hostfwds(nic.portForwards).map((f) => `hostfwd=${f}`)].join(',');
    case 'tap':
      // NOTE: never `-netdev bridge`: that forks the setuid qemu-bridge-helper, and qemu's sandbox (spawn=deny)
      // kills qemu with SIGSYS at the fork. The caller made the tap (and put it on its bridge); script=no and
      // downscript=no because running ifup scripts is a fork too.
      return `tap,id=${id},ifname=${nic.tap},script=no,downscript=no`;
  }
}

/** Slots, models, MACs, interface names, and port forwards (addresses, ports, no host port used twice). */
export function validateNics(nics: readonly NicSpec[], fail: Fail): void {
  if (nics.length > NIC_SLOTS) fail(`at most ${NIC_SLOTS} NICs: ${nics.length}`);
  const slots = new Set<number>();
  const used = new Set<string>();
  for (const nic of nics) {
    if (!Number.isInteger(nic.slot) || nic.slot < 0 || nic.slot >= NIC_SLOTS)
      fail(`NIC slot must be 0 to ${NIC_SLOTS - 1}: ${nic.slot}`);
    if (slots.has(nic.slot)) fail(`two NICs in slot ${nic.slot}`);
    slots.add(nic.slot);
    if (!isOneOf(nic.mode, ['user', 'tap'])) fail(`NIC mode must be user or tap: ${nic.mode}`);
    if (!isOneOf(nic.model, Object.keys(NIC_DEVICES)))
      fail(`NIC model must be virtio, e1000, e1000e or rtl8139: ${nic.model}`);
    if (nic.mac !== undefined && !MAC.test(nic.mac)) fail(`not a lowercase MAC address: ${nic.mac}`);
    if (nic.mode === 'tap' && !INTERFACE_NAME.test(nic.tap))
      fail(`not a tap interface name (1-15 of A-Z a-z 0-9 _ . -): ${nic.tap}`);
    if (nic.mode !== 'user') continue;
    for (const f of nic.portForwards) {
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
}
