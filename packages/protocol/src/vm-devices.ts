import { z } from 'zod';
import type { OsType } from './vm-config.ts';

// The guest's other devices (virt-manager's Add Hardware: video, sound, RNG, watchdog) and its CPU model.

/** `vga`: qemu's standard VGA (works everywhere); `virtio`: virtio-vga (a VGA plus a paravirtual GPU); `bochs`: a
 * framebuffer without VGA text modes (UEFI guests); `cirrus`: the old Cirrus CLGD 5446 (very old OSes). */
export const VideoModelSchema = z.enum(['vga', 'virtio', 'bochs', 'cirrus']);
export type VideoModel = z.infer<typeof VideoModelSchema>;

/**
 * The video memories a model takes, in MiB: powers of two (cirrus: 4, 8 or 16). For virtio it is the host memory
 * the guest's GPU resources may take (qemu's `max_hostmem`).
 */
export const VRAM_CHOICES_MIB: Record<VideoModel, readonly number[]> = {
  vga: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  virtio: [64, 128, 256, 512],
  bochs: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  cirrus: [4, 8, 16],
};

export const VideoSchema = z
  .strictObject({ model: VideoModelSchema, vramMiB: z.number().int() })
  .superRefine((v, ctx) => {
    const choices = VRAM_CHOICES_MIB[v.model];
    if (!choices.includes(v.vramMiB)) {
      ctx.addIssue({
        code: 'custom',
        path: ['vramMiB'],
        message: `${v.model} video memory is one of ${choices.join(', ')} MiB, not ${v.vramMiB}`,
      });
    }
  });
export type Video = z.infer<typeof VideoSchema>;

/** `hda`: an Intel HD Audio controller (ich9-intel-hda) with a duplex codec; no host audio backend is used. */
export const SoundSchema = z.enum(['none', 'hda']);
export type Sound = z.infer<typeof SoundSchema>;

/** What qemu does when the guest's watchdog fires (qemu's `-action watchdog=`). */
export const WatchdogActionSchema = z.enum(['reset', 'shutdown', 'poweroff', 'pause', 'none']);
export type WatchdogAction = z.infer<typeof WatchdogActionSchema>;

/** An Intel 6300ESB watchdog (Linux: i6300esb, Windows: built in) and the action when it fires. */
export const WatchdogSchema = z.discriminatedUnion('model', [
  z.strictObject({ model: z.literal('none') }),
  z.strictObject({ model: z.literal('i6300esb'), action: WatchdogActionSchema }),
]);
export type Watchdog = z.infer<typeof WatchdogSchema>;

/**
 * The vCPU model: `auto` (the host's CPU under KVM, `max` under TCG), `host` (passthrough, KVM only), `max`
 * (everything the accelerator can do), or one of qemu's named models (`qemu-system-x86_64 -cpu help`).
 */
export const CpuModelSchema = z
  .string()
  .min(1, 'the CPU model is empty')
  .max(64, 'CPU model names are at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'not a CPU model name (letters, digits, . _ -)');

/** Host CPUs a vCPU thread may run on (`taskset -c` numbers); empty: anywhere (not pinned). */
export const HostCpuSetSchema = z
  .array(z.number().int().min(0, 'host CPU numbers start at 0').max(4095, 'host CPU numbers end at 4095'))
  .max(4096);

/**
 * Pinning of vCPU threads to host CPUs, by vCPU number (a vCPU past the list's end, or with an empty set, is not
 * pinned). Applied with `taskset` once qemu has started, before the guest runs.
 */
export const CpuPinningSchema = z.array(HostCpuSetSchema).max(288, 'at most 288 vCPUs');
export type CpuPinning = z.infer<typeof CpuPinningSchema>;

/** Serial ports, ttyS0 (the console, logged) included: the PC's COM1 to COM4. */
export const SerialPortsSchema = z
  .number()
  .int('serial ports are a whole number')
  .min(1, 'a guest has 1 to 4 serial ports (ttyS0 to ttyS3)')
  .max(4, 'a guest has 1 to 4 serial ports (ttyS0 to ttyS3)');
/**
 * `tpm2`: a TPM 2.0 emulated by swtpm (one per running guest, its state kept per VM in the data dir), on the
 * CRB interface on q35 and TIS on pc. Windows 11 will not install without one.
 */
export const TpmSchema = z.enum(['none', 'tpm2']);
export type Tpm = z.infer<typeof TpmSchema>;

export const DevicesSchema = z.strictObject({
  video: VideoSchema,
  sound: SoundSchema,
  /** A virtio RNG fed from the host's /dev/urandom (entropy at boot for the guest). */
  rng: z.boolean(),
  watchdog: WatchdogSchema,
  cpuModel: CpuModelSchema,
  /** Absent in definitions from before pinning: nothing pinned. */
  cpuPinning: CpuPinningSchema.default([]),
  /** Absent in definitions from before more ports: ttyS0 (the console) only. */
  serialPorts: SerialPortsSchema.default(1),
  /** The guest RAM from the host's 2 MiB huge pages (fewer TLB misses; the pages must be reserved first). */
  hugepages: z.boolean().default(false),
  /** Absent in definitions from before the TPM: none. */
  tpm: TpmSchema.default('none'),
});
export type Devices = z.infer<typeof DevicesSchema>;

/** What guests defined before these settings existed were given (and what `other` gets). */
export const DEFAULT_DEVICES: Devices = {
  video: { model: 'vga', vramMiB: 16 },
  sound: 'none',
  rng: false,
  watchdog: { model: 'none' },
  cpuModel: 'auto',
  cpuPinning: [],
  serialPorts: 1,
  hugepages: false,
  tpm: 'none',
};

/**
 * Per OS preset: Linux gets entropy at boot from the host, Windows a sound card (as virt-manager gives it),
 * Windows 11 also the TPM 2.0 its installer insists on.
 */
export const PRESET_DEVICES: Record<OsType, Devices> = {
  linux: { ...DEFAULT_DEVICES, rng: true },
  windows: { ...DEFAULT_DEVICES, sound: 'hda' },
  windows11: { ...DEFAULT_DEVICES, sound: 'hda', tpm: 'tpm2' },
  other: DEFAULT_DEVICES,
};

/** A request's devices: each left-out one is the OS preset's. */
export const DevicesRequestSchema = z.strictObject({
  video: VideoSchema.optional(),
  sound: SoundSchema.optional(),
  rng: z.boolean().optional(),
  watchdog: WatchdogSchema.optional(),
  cpuModel: CpuModelSchema.optional(),
  cpuPinning: CpuPinningSchema.optional(),
  serialPorts: SerialPortsSchema.optional(),
  hugepages: z.boolean().optional(),
  tpm: TpmSchema.optional(),
});
export type DevicesRequest = z.input<typeof DevicesRequestSchema>;

/** `0-2,5` from [0, 1, 2, 5]: the CPU list form of `taskset -c` (and of Linux's cpusets). */
export function cpuListText(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',');
}

/** [0, 1, 2, 5] from `0-2,5` (spaces allowed, empty: none); null when it is not such a list. */
export function parseCpuList(text: string): number[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const cpus: number[] = [];
  for (const part of trimmed.split(',')) {
    const m = /^\s*(\d{1,4})\s*(?:-\s*(\d{1,4})\s*)?$/.exec(part);
    if (!m) return null;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return null;
    for (let c = from; c <= to; c++) cpus.push(c);
  }
  return [...new Set(cpus)].sort((a, b) => a - b);
}
