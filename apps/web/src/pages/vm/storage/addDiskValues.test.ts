import type { Vm } from '@virtweb/protocol';
import { describe, expect, it } from 'vitest';
import { addDiskRequestOf, initialAddDisk, newImageName } from './addDiskValues.ts';

const vm = (over: Partial<Vm>): Vm =>
  ({
    name: 'web',
    os: 'linux',
    machine: 'q35',
    disks: [{ image: 'web.qcow2', index: 0, bus: 'virtio' }],
    ...over,
  }) as Vm;

describe('the Add disk form', () => {
  it("starts with a new qcow2 image named after the VM's next slot, on the OS preset's bus", () => {
    const v = initialAddDisk(vm({ os: 'windows' }), ['free.raw']);
    expect(v).toMatchObject({ source: 'new', format: 'qcow2', bus: 'sata', existing: 'free.raw' });
    expect(newImageName(vm({}), v)).toBe('web-disk1.qcow2');
    expect(newImageName(vm({}), { ...v, format: 'raw' })).toBe('web-disk1.img');
    expect(newImageName(vm({}), { ...v, name: 'mine.qcow2' })).toBe('mine.qcow2');
  });

  it('sends a create request with the bus and options, or an existing image without create', () => {
    const v = { ...initialAddDisk(vm({}), []), size: '32M', bus: 'scsi' as const };
    expect(
      addDiskRequestOf(vm({}), { ...v, options: { cache: 'none', discard: 'unmap', readOnly: true } }),
    ).toEqual({
      request: {
        image: 'web-disk1.qcow2',
        bus: 'scsi',
        cache: 'none',
        discard: 'unmap',
        readOnly: true,
        create: { format: 'qcow2', sizeBytes: '32M' },
      },
    });
    const existing = addDiskRequestOf(vm({}), { ...v, source: 'existing', existing: 'old.raw' });
    if (existing.errors) throw new Error(JSON.stringify(existing.errors));
    expect(existing.request).not.toHaveProperty('create');
    expect(existing.request.image).toBe('old.raw');
  });

  it('says at each field what the machine, the bus or the schema refuses', () => {
    const v = initialAddDisk(vm({}), []);
    expect(addDiskRequestOf(vm({}), { ...v, bus: 'ide' }).errors?.bus).toMatch(/q35 machine has no IDE/);
    expect(addDiskRequestOf(vm({ machine: 'pc' }), { ...v, bus: 'ide' }).errors).toBeUndefined();
    const ro = { ...v, bus: 'sata' as const, options: { ...v.options, readOnly: true } };
    expect(addDiskRequestOf(vm({}), ro).errors?.readOnly).toMatch(/cannot be read-only/);
    expect(addDiskRequestOf(vm({}), { ...v, size: 'big' }).errors?.size).toMatch(/size must be/);
    expect(addDiskRequestOf(vm({}), { ...v, name: '../x' }).errors?.name).toBeDefined();
    expect(addDiskRequestOf(vm({}), { ...v, source: 'existing', existing: '' }).errors?.existing).toBe(
      'choose an image',
    );
  });
});
