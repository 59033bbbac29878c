import { DISK_BUS_LABELS, HOTPLUG_DISK_BUSES, usbDeviceText, type Vm } from '@virtweb/protocol';
import {
  BOOT_LABEL,
  FIRMWARE_LABEL,
  nicLabel,
  SOUND_LABEL,
  VIDEO_LABEL,
  WATCHDOG_ACTION_LABEL,
} from '../settings/labels.ts';

/** When a change of the device reaches the running guest. */
export type Applies = 'live' | 'next start' | 'fixed';

/** What removing a device does, by the endpoint that does it. */
export type Removal =
  | { kind: 'disk'; index: number }
  | { kind: 'nic'; slot: number }
  | { kind: 'usb'; slot: number }
  | { kind: 'cdrom' };

/** One device of the hardware list (virt-manager's left column), with where it is edited. */
export interface HardwareRow {
  key: string;
  device: string;
  settings: string;
  applies: Applies;
  /** A change made while the guest runs that waits for its next start. */
  pending: boolean;
  /** The tab that edits it. */
  editIn: 'settings' | 'storage';
  remove?: Removal;
}

/** `pendingChanges` names (definition fields) behind each kind of row. */
const pendingOf = (vm: Vm, ...fields: string[]): boolean =>
  (vm.pendingChanges ?? []).some((f) => fields.includes(f));

/**
 * Every device of the guest, in virt-manager's order: what it is, its settings, when a change applies (live:
 * hot-plug or a change qemu takes at once; next start; fixed: always there), and whether it can be removed.
 */
export function hardwareRows(vm: Vm): HardwareRow[] {
  const d = vm.devices;
  const t = vm.topology;
  const pinned = d.cpuPinning.some((cpus) => cpus.length > 0);
  const rows: HardwareRow[] = [
    {
      key: 'cpu',
      device: 'Processor',
      settings:
        `${vm.vcpus} vCPU${vm.vcpus === 1 ? '' : 's'} (${t.sockets} socket × ${t.cores} core × ${t.threads} thread), ` +
        `model ${d.cpuModel}${pinned ? ', pinned' : ''}`,
      applies: 'next start',
      pending: pendingOf(vm, 'vcpus', 'topology', 'devices'),
      editIn: 'settings',
    },
    {
      key: 'memory',
      device: 'Memory',
      settings:
        `${vm.memoryMiB} MiB${d.hugepages ? ' on 2 MiB huge pages' : ''}` +
        (vm.balloon ? ', balloon (the guest can be given back less while it runs)' : ''),
      applies: 'next start',
      pending: pendingOf(vm, 'memoryMiB', 'balloon', 'devices'),
      editIn: 'settings',
    },
    {
      key: 'machine',
      device: 'Machine and firmware',
      settings: `${vm.machine}, ${FIRMWARE_LABEL[vm.firmware]}, clock ${vm.clock}`,
      applies: 'next start',
      pending: pendingOf(vm, 'machine', 'firmware', 'clock', 'noKernelIrqchip'),
      editIn: 'settings',
    },
    {
      key: 'boot',
      device: 'Boot',
      settings: BOOT_LABEL[vm.boot],
      applies: 'next start',
      pending: pendingOf(vm, 'boot', 'kernel'),
      editIn: 'settings',
    },
  ];
  for (const disk of vm.disks) {
    const options = [
      disk.cache === undefined ? undefined : `cache ${disk.cache}`,
      disk.discard === 'unmap' ? 'discard' : undefined,
      disk.readOnly === true ? 'read-only' : undefined,
    ].filter((o) => o !== undefined);
    // SATA and IDE are not hot-pluggable: attached or removed while running, they wait for the next start.
    const hotplug = HOTPLUG_DISK_BUSES.includes(disk.bus);
    rows.push({
      key: `disk-${disk.index}`,
      device: `Disk ${disk.index}`,
      settings: `${disk.image} (${disk.format ?? 'format unknown'}, ${DISK_BUS_LABELS[disk.bus]}${options.map((o) => `, ${o}`).join('')})`,
      applies: hotplug ? 'live' : 'next start',
      pending: !hotplug && pendingOf(vm, 'disks'),
      editIn: 'storage',
      remove: { kind: 'disk', index: disk.index },
    });
  }
  rows.push({
    key: 'cdrom',
    device: 'CD drive',
    settings: vm.cdrom ?? 'empty',
    applies: 'live',
    pending: false,
    editIn: 'storage',
    ...(vm.cdrom === undefined ? {} : { remove: { kind: 'cdrom' as const } }),
  });
  for (const nic of vm.nics) {
    rows.push({
      key: `nic-${nic.slot}`,
      device: `Network card ${nic.slot}`,
      settings: `${nicLabel(nic)}, ${nic.mac}, link ${nic.linkUp ? 'up' : 'down'}`,
      applies: 'live',
      pending: pendingOf(vm, 'nics'),
      editIn: 'settings',
      remove: { kind: 'nic', slot: nic.slot },
    });
  }
  rows.push(
    {
      key: 'video',
      device: 'Video',
      settings: `${VIDEO_LABEL[d.video.model]}, ${d.video.vramMiB} MiB`,
      applies: 'next start',
      pending: pendingOf(vm, 'devices'),
      editIn: 'settings',
    },
    {
      key: 'sound',
      device: 'Sound',
      settings: SOUND_LABEL[d.sound],
      applies: 'next start',
      pending: pendingOf(vm, 'devices'),
      editIn: 'settings',
    },
    {
      key: 'rng',
      device: 'Random number generator',
      settings: d.rng ? "virtio RNG from the host's /dev/urandom" : 'none',
      applies: 'next start',
      pending: pendingOf(vm, 'devices'),
      editIn: 'settings',
    },
    {
      key: 'watchdog',
      device: 'Watchdog',
      settings:
        d.watchdog.model === 'none' ? 'none' : `i6300esb: ${WATCHDOG_ACTION_LABEL[d.watchdog.action]}`,
      applies: 'next start',
      pending: pendingOf(vm, 'devices'),
      editIn: 'settings',
    },
    {
      key: 'serial',
      device: 'Serial ports',
      settings:
        d.serialPorts === 1 ? 'ttyS0 (the console)' : `ttyS0 (the console) to ttyS${d.serialPorts - 1}`,
      applies: 'next start',
      pending: pendingOf(vm, 'devices'),
      editIn: 'settings',
    },
    {
      key: 'tpm',
      device: 'TPM',
      settings: d.tpm === 'tpm2' ? 'TPM 2.0, emulated by swtpm (its state kept with the guest)' : 'none',
      applies: 'next start',
      pending: pendingOf(vm, 'devices'),
      editIn: 'settings',
    },
    {
      key: 'agent',
      device: 'Guest agent channel',
      settings: vm.guestAgent ? 'virtio-serial org.qemu.guest_agent.0' : 'none',
      applies: 'next start',
      pending: pendingOf(vm, 'guestAgent'),
      editIn: 'settings',
    },
    {
      key: 'tablet',
      device: 'Tablet (pointer)',
      settings: 'USB tablet on the xHCI controller: the pointer follows the screen exactly',
      applies: 'fixed',
      pending: false,
      editIn: 'settings',
    },
  );
  for (const u of vm.usb) {
    rows.push({
      key: `usb-${u.slot}`,
      device: `USB host device ${u.slot}`,
      settings: `${u.label ?? 'USB device'} (${usbDeviceText(u)})`,
      applies: 'live',
      pending: false,
      editIn: 'settings',
      remove: { kind: 'usb', slot: u.slot },
    });
  }
  return rows;
}
