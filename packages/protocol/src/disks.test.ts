import { describe, expect, it } from 'vitest';
import { AddDiskRequestSchema, PatchDiskRequestSchema } from './storage.ts';
import { CreateVmRequestSchema, UpdateVmRequestSchema } from './vms.ts';

const base = { name: 'g', memoryMiB: 256, vcpus: 1 };
/** The request's issues as path -> message. */
const issues = (result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) => Object.fromEntries((result.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));

describe('disk buses and options in the shared schemas', () => {
  it('refuses IDE on q35 (also the default machine) at the disk bus, naming the machine', () => {
    const q35 = CreateVmRequestSchema.safeParse({ ...base, disks: [{ image: 'a.qcow2', bus: 'ide' }] });
    expect(Object.keys(issues(q35))).toEqual(['disks.0.bus']);
    expect(issues(q35)['disks.0.bus']).toMatch(/^the q35 machine has no IDE controller/);
    const update = UpdateVmRequestSchema.safeParse({
      ...base,
      machine: 'q35',
      disks: [{ image: 'a', bus: 'ide' }],
    });
    expect(issues(update)).toHaveProperty(['disks.0.bus']);
    expect(
      CreateVmRequestSchema.safeParse({ ...base, machine: 'pc', disks: [{ image: 'a', bus: 'ide' }] })
        .success,
    ).toBe(true);
    for (const bus of ['virtio', 'scsi', 'sata', 'usb'])
      expect(CreateVmRequestSchema.safeParse({ ...base, disks: [{ image: 'a', bus }] }).success).toBe(true);
  });

  it('refuses read-only SATA/IDE and write-through USB at the option', () => {
    const ro = CreateVmRequestSchema.safeParse({
      ...base,
      disks: [{ image: 'a', bus: 'sata', readOnly: true }],
    });
    expect(Object.keys(issues(ro))).toEqual(['disks.0.readOnly']);
    expect(issues(ro)['disks.0.readOnly']).toMatch(/SATA disk cannot be read-only/);
    // The Windows preset's bus (SATA) when the request leaves it out.
    const preset = CreateVmRequestSchema.safeParse({
      ...base,
      os: 'windows',
      disks: [{ image: 'a', readOnly: true }],
    });
    expect(issues(preset)).toHaveProperty(['disks.0.readOnly']);
    const usb = CreateVmRequestSchema.safeParse({
      ...base,
      disks: [{ image: 'a', bus: 'usb', cache: 'writethrough' }],
    });
    expect(issues(usb)['disks.0.cache']).toMatch(/USB disks cannot write through/);
  });

  it('refuses unknown buses, cache modes and discard values', () => {
    expect(AddDiskRequestSchema.safeParse({ image: 'a', bus: 'nvme' }).success).toBe(false);
    expect(issues(AddDiskRequestSchema.safeParse({ image: 'a', cache: 'fast' }))).toHaveProperty(['cache']);
    expect(issues(PatchDiskRequestSchema.safeParse({ discard: 'trim' }))).toHaveProperty(['discard']);
    expect(PatchDiskRequestSchema.safeParse({ bus: 'sata' }).success).toBe(false);
    expect(
      AddDiskRequestSchema.parse({ image: 'a', bus: 'scsi', cache: 'none', create: { sizeBytes: '1G' } }),
    ).toEqual({ image: 'a', bus: 'scsi', cache: 'none', create: { format: 'qcow2', sizeBytes: 2 ** 30 } });
  });
});
