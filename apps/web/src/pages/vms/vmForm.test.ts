import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors.ts';
import { fieldOf, initialVmForm, serverVmErrors, validateVmForm } from './vmForm.ts';

describe('validateVmForm', () => {
  it('builds the request the server expects', () => {
    const result = validateVmForm({ ...initialVmForm, name: ' web1 ', memoryMiB: '256', cdrom: 'tiny.iso' });
    expect(result).toEqual({
      ok: true,
      request: {
        name: 'web1',
        memoryMiB: 256,
        vcpus: 1,
        disks: [],
        cdrom: 'tiny.iso',
        accel: 'auto',
        network: 'user',
      },
    });
  });

  it('puts the schema messages on the fields', () => {
    const result = validateVmForm({ ...initialVmForm, name: '', memoryMiB: '', vcpus: '0', disk: '../x' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.name).toBe('name is empty');
    expect(result.errors.memoryMiB).toBe('enter a whole number');
    expect(result.errors.vcpus).toBe('at least one vCPU');
    expect(result.errors.disk).toBeDefined();
  });
});

describe('server errors', () => {
  it('maps paths in either notation to fields', () => {
    expect(fieldOf('disks.0.image')).toBe('disk');
    expect(fieldOf(['memoryMiB'])).toBe('memoryMiB');
    expect(fieldOf('/body/name')).toBe('name');
    expect(fieldOf('whatever')).toBeNull();
  });

  it('splits 400 details into field and form messages, and a 409 name clash onto the name', () => {
    const bad = new ApiError(400, 'validation_failed', 'invalid request', [
      { path: 'memoryMiB', message: 'too much' },
      { path: 'other', message: 'odd' },
    ]);
    expect(serverVmErrors(bad)).toEqual({ fields: { memoryMiB: 'too much' }, form: 'other: odd' });
    const clash = new ApiError(409, 'already_exists', 'a VM named web1 exists');
    expect(serverVmErrors(clash)).toEqual({ fields: { name: 'a VM named web1 exists' }, form: null });
  });
});
