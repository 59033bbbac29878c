import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../api/errors.ts';
import { errorKeyOf, serverErrors, withoutErrors } from './errorPaths.ts';
import { stepOfKey } from './steps.ts';

describe('errorKeyOf', () => {
  it('maps request paths in either notation to the field that shows them', () => {
    expect(errorKeyOf('name')).toBe('name');
    expect(errorKeyOf('/body/memoryMiB')).toBe('memoryMiB');
    expect(errorKeyOf(['topology', 'cores'])).toBe('topology');
    expect(errorKeyOf('kernel.kernel')).toBe('kernel');
    expect(errorKeyOf('kernel.initrd')).toBe('kernel.initrd');
    expect(errorKeyOf(['disks', 0, 'image'])).toBe('disks.0.image');
    expect(errorKeyOf('disks.0.create.sizeBytes')).toBe('disks.0.create.sizeBytes');
    expect(errorKeyOf('disks.0.bus')).toBe('disks.0.bus');
    expect(errorKeyOf('disks.3.image')).toBe('disks');
    expect(errorKeyOf('nics.0.mode')).toBe('nics');
    expect(errorKeyOf('nics.0.mac')).toBe('nics');
    expect(errorKeyOf('nics.1.bridge')).toBe('nics');
    expect(errorKeyOf('nics.0.bridge')).toBe('nics.0.bridge');
    expect(errorKeyOf('nics.0.portForwards.2.guestPort')).toBe('nics.0.portForwards.2.guestPort');
    expect(errorKeyOf('nics.0.portForwards')).toBe('nics.0.portForwards');
    expect(errorKeyOf('whatever')).toBeNull();
    expect(errorKeyOf('')).toBeNull();
  });

  it('finds the step of each key; the imported disk is chosen on the first step', () => {
    expect(stepOfKey('name', 'iso')).toBe('media');
    expect(stepOfKey('kernel.initrd', 'kernel')).toBe('media');
    expect(stepOfKey('topology', 'iso')).toBe('cpu');
    expect(stepOfKey('disks.0.image', 'iso')).toBe('storage');
    expect(stepOfKey('disks.0.image', 'import')).toBe('media');
    expect(stepOfKey('disks.0.bus', 'import')).toBe('storage');
    expect(stepOfKey('nics.0.portForwards.0.hostPort', 'iso')).toBe('network');
    expect(stepOfKey('noKernelIrqchip', 'iso')).toBe('machine');
    expect(stepOfKey('form', 'iso')).toBe('summary');
  });
});

describe('serverErrors', () => {
  it('puts 400 and 409 details on fields and keeps the rest as one message', () => {
    const bad = new ApiError(400, 'validation_failed', 'invalid', [
      { path: 'memoryMiB', message: 'too much' },
      { path: 'disks.0.image', message: 'an image named web1.qcow2 already exists' },
      { path: 'other', message: 'odd' },
    ]);
    expect(serverErrors(bad)).toEqual({
      fields: { memoryMiB: 'too much', 'disks.0.image': 'an image named web1.qcow2 already exists' },
      form: 'other: odd',
    });
    const clash = new ApiError(409, 'already_exists', 'name: a VM named web1 already exists', [
      { path: 'name', message: 'a VM named web1 already exists' },
    ]);
    expect(serverErrors(clash)).toEqual({ fields: { name: 'a VM named web1 already exists' }, form: null });
    expect(serverErrors(new ApiError(409, 'already_exists', 'a VM named web1 exists')).fields).toEqual({
      name: 'a VM named web1 exists',
    });
    const qemu = new ApiError(409, 'qemu_failed', 'qemu: kernel-irqchip=off is not supported');
    expect(serverErrors(qemu)).toEqual({ fields: {}, form: 'qemu: kernel-irqchip=off is not supported' });
  });

  it('clears a key with the keys under it', () => {
    const errors = { nics: 'a', 'nics.0.portForwards.0.hostPort': 'b', 'nics.0.portForwardsX': 'c' };
    expect(withoutErrors(errors, ['nics.0.portForwards'])).toEqual({
      nics: 'a',
      'nics.0.portForwardsX': 'c',
    });
  });
});
