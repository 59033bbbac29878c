// The guest's video card, sound card, RNG and watchdog, and its CPU model: one `-device` (or two) each.
import { isAbsolute } from 'node:path';
import { escapeOptValue, isOneOf, type Fail } from './argv-opts.ts';
import type { DevicesSpec, VmSpec } from './spec.ts';

/** What a spec without `devices` gets: qemu's standard VGA with 16 MiB, nothing else. */
export const DEFAULT_DEVICES_SPEC: DevicesSpec = {
  video: { model: 'vga', vramMiB: 16 },
  sound: 'none',
  rng: false,
  watchdog: { model: 'none' },
};

const VRAM_MIB: Record<DevicesSpec['video']['model'], number[]> = {
  vga: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  virtio: [64, 128, 256, 512],
  bochs: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  cirrus: [4, 8, 16],
};
const WATCHDOG_ACTIONS = ['reset', 'shutdown', 'poweroff', 'pause', 'none'];
// qemu's names: letters, digits and . _ - (e.g. Skylake-Client-v4, EPYC-Rome, qemu64, max, host).
const CPU_MODEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `-cpu`: the spec's model, else `host` under KVM and `max` under TCG. */
export function cpuModelOf(spec: VmSpec): string {
  // NOTE: `-cpu host` needs KVM; TCG's `max` enables everything TCG can emulate.
  return spec.cpuModel ?? (spec.accel === 'kvm' ? 'host' : 'max');
}

/** The sound, RNG and watchdog devices, in that order (the video card has its own place: {@link videoArgs}). */
export function extraDeviceArgs(devices: DevicesSpec): string[] {
  return [...soundArgs(devices.sound), ...rngArgs(devices.rng), ...watchdogArgs(devices.watchdog)];
}

/** The guest's video card. */
export function videoArgs(video: DevicesSpec['video']): string[] {
  const mib = video.vramMiB;
  switch (video.model) {
    case 'vga':
      // 16 MiB is qemu's own default: the argv of guests defined before the setting existed stays as it was.
      return ['-device', mib === 16 ? 'VGA' : `VGA,vgamem_mb=${mib}`];
    case 'virtio':
      // NOTE: virtio-vga is a VGA for the firmware and early boot plus a virtio GPU once the guest's driver
      // loads. qemu 7.2 gives it no vgamem_mb: its memory is `max_hostmem`, the host memory the guest's GPU
      // resources may take (qemu's default 256 MiB).
      return ['-device', `virtio-vga,max_hostmem=${mib}M`];
    case 'bochs':
      // bochs-display has no vgamem_mb; `vgamem` is in bytes.
      return ['-device', `bochs-display,vgamem=${mib * 2 ** 20}`];
    case 'cirrus':
      return ['-device', `cirrus-vga,vgamem_mb=${mib}`];
  }
}

function soundArgs(sound: DevicesSpec['sound']): string[] {
  if (sound === 'none') return [];
  // NOTE: the codec needs an audio backend; `none` accepts the guest's audio and plays nothing on the host
  // (a server has no speakers, and qemu's sandbox would not let it reach PulseAudio anyway).
  return [
    ...['-audiodev', 'none,id=snd0'],
    ...['-device', 'ich9-intel-hda,id=sound0'],
    ...['-device', 'hda-duplex,bus=sound0.0,audiodev=snd0'],
  ];
}

function rngArgs(rng: boolean): string[] {
  if (!rng) return [];
  return [
    '-object',
    'rng-random,id=rng0,filename=/dev/urandom',
    '-device',
    'virtio-rng-pci,rng=rng0,id=rng0-dev',
  ];
}

function watchdogArgs(watchdog: DevicesSpec['watchdog']): string[] {
  if (watchdog.model === 'none') return [];
  // `-action watchdog=` (qemu 6.0 and later) replaced `-watchdog-action`.
  return ['-device', 'i6300esb,id=watchdog0', '-action', `watchdog=${watchdog.action}`];
}

/** qemu's ids of the TPM's chardev and backend (`query-tpm` names the backend). */
export const TPM_IDS = { chardev: 'chrtpm', backend: 'tpm0', device: 'tpm0-dev' } as const;

/** A TPM 2.0 backed by an external swtpm on `tpm.socket`. */
export function tpmArgs(tpm: VmSpec['tpm'], machine: 'q35' | 'pc'): string[] {
  if (tpm === undefined) return [];
  // NOTE: tpm-crb (the Command Response Buffer interface) is what Windows 11 and current firmware expect of a
  // TPM 2.0; qemu 7.2 offers it on q35 only, so pc gets the older TIS interface (ISA), which also speaks TPM 2.0.
  const model = machine === 'q35' ? 'tpm-crb' : 'tpm-tis';
  return [
    ...['-chardev', `socket,id=${TPM_IDS.chardev},path=${escapeOptValue(tpm.socket)}`],
    ...['-tpmdev', `emulator,id=${TPM_IDS.backend},chardev=${TPM_IDS.chardev}`],
    ...['-device', `${model},tpmdev=${TPM_IDS.backend},id=${TPM_IDS.device}`],
  ];
}

/** Video model and memory, sound, watchdog model and action, CPU model name. */
export function validateDevices(spec: VmSpec, fail: Fail): void {
  if (spec.tpm !== undefined && !isAbsolute(spec.tpm.socket))
    fail(`TPM socket path is not absolute: ${spec.tpm.socket}`);
  if (spec.cpuModel !== undefined) {
    if (!CPU_MODEL.test(spec.cpuModel)) fail(`not a CPU model name: ${spec.cpuModel}`);
    if (spec.cpuModel === 'host' && spec.accel !== 'kvm')
      fail('CPU model host (passthrough) needs accel kvm');
  }
  const d = spec.devices;
  if (d === undefined) return;
  if (!isOneOf(d.video.model, ['vga', 'virtio', 'bochs', 'cirrus']))
    fail(`video model must be vga, virtio, bochs or cirrus: ${d.video.model}`);
  const sizes = VRAM_MIB[d.video.model];
  if (!sizes.includes(d.video.vramMiB))
    fail(`${d.video.model} video memory must be one of ${sizes.join(', ')} MiB: ${d.video.vramMiB}`);
  if (!isOneOf(d.sound, ['none', 'hda'])) fail(`sound must be none or hda: ${d.sound}`);
  if (typeof d.rng !== 'boolean') fail('rng must be true or false');
  if (!isOneOf(d.watchdog.model, ['none', 'i6300esb'])) fail(`watchdog model must be none or i6300esb`);
  if (d.watchdog.model === 'i6300esb' && !isOneOf(d.watchdog.action, WATCHDOG_ACTIONS))
    fail(`watchdog action must be one of ${WATCHDOG_ACTIONS.join(', ')}: ${d.watchdog.action}`);
}
