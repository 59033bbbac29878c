import { describe, expect, it } from 'vitest';
import type { Vm } from '@virtweb/protocol';
import { ApiError } from '../../../api/errors.ts';
import { initialClone, serverCloneErrors, targetOf, validateClone } from './cloneForm.ts';

const vm = {
  id: '0123456789ab',
  name: 'web1',
  disks: [
    { image: 'web1.qcow2', index: 0, bus: 'virtio' },
    { image: 'data.raw', index: 1, bus: 'sata' },
  ],
} as Vm;

const none = { vmNames: new Set<string>(), imageNames: new Set<string>() };

describe('clone form', () => {
  it('names the targets after the new VM until one is edited', () => {
    const values = { ...initialClone(vm), name: 'web2' };
    expect(targetOf(values, 0)).toBe('web2-1.qcow2');
    expect(targetOf(values, 1)).toBe('web2-2.qcow2');
    const edited = {
      ...values,
      disks: values.disks.map((d, i) => (i === 1 ? { ...d, target: ' keep.qcow2 ', targetEdited: true } : d)),
    };
    expect(targetOf({ ...edited, name: 'web3' }, 0)).toBe('web3-1.qcow2');
    expect(targetOf({ ...edited, name: 'web3' }, 1)).toBe('keep.qcow2');
  });

  it('builds the request with each disk mode', () => {
    const values = initialClone(vm);
    values.name = 'web2';
    values.disks[1]!.mode = 'overlay';
    expect(validateClone(values, none)).toEqual({
      ok: true,
      request: {
        name: 'web2',
        disks: [
          { image: 'web1.qcow2', mode: 'copy', target: 'web2-1.qcow2' },
          { image: 'data.raw', mode: 'overlay', target: 'web2-2.qcow2' },
        ],
      },
    });
  });

  it('refuses taken names, existing or repeated targets and bad names', () => {
    const values = initialClone(vm);
    values.disks[1] = { ...values.disks[1]!, target: 'web1-clone-1.qcow2', targetEdited: true };
    const taken = { vmNames: new Set(['web1-clone']), imageNames: new Set<string>() };
    const result = validateClone(values, taken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.name).toBe('a VM named web1-clone already exists');
    expect(result.errors['disks.0.target']).toBeUndefined();
    expect(result.errors['disks.1.target']).toMatch(/target of another disk/);

    const exists = validateClone(initialClone(vm), {
      vmNames: new Set<string>(),
      imageNames: new Set(['web1-clone-1.qcow2']),
    });
    expect(!exists.ok && exists.errors['disks.0.target']).toBe(
      'an image named web1-clone-1.qcow2 already exists',
    );

    const bad = validateClone({ ...initialClone(vm), name: 'no spaces' }, none);
    expect(!bad.ok && bad.errors.name).toMatch(/no spaces/);
  });
});

describe('clone server errors', () => {
  it('puts name and target messages on their fields, the rest on the form', () => {
    const err = new ApiError(409, 'already_exists', 'conflict', [
      { path: 'name', message: 'a VM named x already exists' },
      { path: 'disks.1.target', message: 'an image named y already exists' },
      { path: 'disks', message: 'say how to clone every disk' },
    ]);
    expect(serverCloneErrors(err)).toEqual({
      errors: { name: 'a VM named x already exists', 'disks.1.target': 'an image named y already exists' },
      form: 'disks: say how to clone every disk',
    });
    expect(serverCloneErrors(new ApiError(409, 'wrong_state', 'power it off')).form).toBe('power it off');
  });
});
