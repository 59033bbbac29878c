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

export const DevicesSchema = z.strictObject({
  video: VideoSchema,
  sound: SoundSchema,
  /** A virtio RNG fed from the host's /dev/urandom (entropy at boot for the guest). */
  rng: z.boolean(),
  watchdog: WatchdogSchema,
  cpuModel: CpuModelSchema,
});
export type Devices = z.infer<typeof DevicesSchema>;

/** What guests defined before these settings existed were given (and what `other` gets). */
export const DEFAULT_DEVICES: Devices = {
  video: { model: 'vga', vramMiB: 16 },
  sound: 'none',
  rng: false,
  watchdog: { model: 'none' },
  cpuModel: 'auto',
};

/** Per OS preset: Linux gets entropy at boot from the host, Windows a sound card (as virt-manager gives it). */
export const PRESET_DEVICES: Record<OsType, Devices> = {
  linux: { ...DEFAULT_DEVICES, rng: true },
  windows: { ...DEFAULT_DEVICES, sound: 'hda' },
  other: DEFAULT_DEVICES,
};

/** A request's devices: each left-out one is the OS preset's. */
export const DevicesRequestSchema = z.strictObject({
  video: VideoSchema.optional(),
  sound: SoundSchema.optional(),
  rng: z.boolean().optional(),
  watchdog: WatchdogSchema.optional(),
  cpuModel: CpuModelSchema.optional(),
});
export type DevicesRequest = z.input<typeof DevicesRequestSchema>;
