import type {
  BootDevice,
  Clock,
  Devices,
  Firmware,
  Nic,
  Sound,
  Tpm,
  VideoModel,
  WatchdogAction,
} from '@virtweb/protocol';

// Words for configuration values, shared by the Settings tab, the overview and the banners.

export const BOOT_LABEL: Record<BootDevice, string> = {
  cdrom: 'CD image',
  disk: 'First disk',
  kernel: 'Kernel (direct kernel boot)',
};

export const FIRMWARE_LABEL: Record<Firmware, string> = {
  bios: 'BIOS (SeaBIOS)',
  uefi: 'UEFI (OVMF)',
  'uefi-secure': 'UEFI with Secure Boot (OVMF, q35 only)',
};

export const CLOCK_LABEL: Record<Clock, string> = {
  utc: 'UTC (Linux and most systems)',
  localtime: 'Local time (Windows)',
};

/** One line about a NIC, e.g. "user-mode NAT, virtio, 2 port forwards". */
export function nicLabel(nic: Nic): string {
  switch (nic.mode) {
    case 'user': {
      const n = nic.portForwards.length;
      const forwards = n === 0 ? '' : `, ${n} port forward${n === 1 ? '' : 's'}`;
      return `user-mode NAT, ${nic.model}${forwards}`;
    }
    case 'bridge':
      return `bridge ${nic.bridge}, ${nic.model}`;
    case 'tap':
      return `tap ${nic.tap}, ${nic.model}`;
    case 'network':
      return `network ${nic.network}, ${nic.model}`;
  }
}

/** "tcp 127.0.0.1:2222 → guest 22" for each port forward. */
export function portForwardLabels(nic: Nic): string[] {
  if (nic.mode !== 'user') return [];
  return nic.portForwards.map((f) => `${f.protocol} ${f.hostAddress}:${f.hostPort} → guest ${f.guestPort}`);
}

const CHANGE_LABEL: Record<string, string> = {
  name: 'name',
  os: 'OS type',
  memoryMiB: 'memory',
  vcpus: 'vCPUs',
  topology: 'CPU topology',
  boot: 'boot device',
  disks: 'disks',
  cdrom: 'CD',
  kernel: 'kernel',
  accel: 'accelerator',
  nics: 'network cards',
  machine: 'machine type',
  firmware: 'firmware',
  noKernelIrqchip: 'no kernel irqchip',
  balloon: 'memory balloon',
  clock: 'clock',
  devices: 'devices',
};

export const VIDEO_LABEL: Record<VideoModel, string> = {
  vga: 'VGA (standard, works everywhere)',
  virtio: 'virtio-vga (paravirtual GPU)',
  bochs: 'bochs-display (UEFI framebuffer)',
  cirrus: 'Cirrus (very old systems)',
};

export const SOUND_LABEL: Record<Sound, string> = {
  none: 'None',
  hda: 'Intel HD Audio (ich9)',
};

export const TPM_LABEL: Record<Tpm, string> = {
  none: 'None',
  tpm2: 'TPM 2.0 (swtpm)',
};

export const WATCHDOG_ACTION_LABEL: Record<WatchdogAction, string> = {
  reset: 'reset the guest',
  shutdown: 'shut it down (ACPI)',
  poweroff: 'power it off',
  pause: 'pause it',
  none: 'do nothing',
};

/** The words for a configuration field name (`memoryMiB` → "memory"), as `pendingChanges` lists them. */
export function changeLabel(field: string): string {
  return CHANGE_LABEL[field] ?? field;
}

const VIDEO_DEVICE: Record<VideoModel, string> = {
  vga: 'VGA',
  virtio: 'virtio-vga',
  bochs: 'bochs-display',
  cirrus: 'Cirrus',
};

/** One line about the guest's devices, e.g. "VGA 16 MiB, no sound, RNG, watchdog (pause it), CPU auto". */
export function devicesLabel(d: Devices): string {
  return [
    `${VIDEO_DEVICE[d.video.model]} ${d.video.vramMiB} MiB`,
    d.sound === 'none' ? 'no sound' : 'HD Audio',
    d.rng ? 'RNG' : 'no RNG',
    d.watchdog.model === 'none' ? 'no watchdog' : `watchdog (${WATCHDOG_ACTION_LABEL[d.watchdog.action]})`,
    `CPU ${d.cpuModel}`,
    ...(d.serialPorts > 1 ? [`serial ttyS0 to ttyS${d.serialPorts - 1}`] : []),
    d.tpm === 'tpm2' ? 'TPM 2.0' : 'no TPM',
  ].join(', ');
}
