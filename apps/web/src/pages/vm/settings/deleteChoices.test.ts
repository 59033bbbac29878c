import { describe, expect, it } from 'vitest';
import type { Image, Vm } from '@virtweb/protocol';
import { imageChoices, imagesToDelete } from './deleteChoices.ts';

const vm = (id: string, name: string, disks: string[], cdrom?: string, kernel?: Vm['kernel']) =>
  ({
    id,
    name,
    disks: disks.map((image, index) => ({ image, index, bus: 'virtio' })),
    ...(cdrom === undefined ? {} : { cdrom }),
    ...(kernel === undefined ? {} : { kernel }),
  }) as Vm;

const image = (name: string, usedBy: string[], extra: Partial<Image> = {}): Image => ({
  name,
  format: 'qcow2',
  virtualSize: 1,
  actualSize: 1,
  backingChain: [],
  usedBy,
  ...extra,
});

const web1 = vm(
  'aaaaaaaaaaaa',
  'web1',
  ['web1.qcow2', 'shared.qcow2', 'base.qcow2', 'gone.qcow2'],
  'tiny.iso',
);
const web2 = vm('bbbbbbbbbbbb', 'web2', ['shared.qcow2'], 'tiny.iso');
const images = [
  image('web1.qcow2', [web1.id]),
  image('shared.qcow2', [web1.id, web2.id]),
  image('base.qcow2', [web1.id]),
  image('top.qcow2', [], {
    backingChain: [{ name: 'base.qcow2', format: 'qcow2', virtualSize: 1, inStore: true }],
  }),
  image('tiny.iso', [web1.id, web2.id], { format: 'iso' }),
];

describe('delete dialog choices', () => {
  it('ticks own disks, keeps the CD, blocks shared, backing and missing images with the reason', () => {
    expect(imageChoices(web1, images, [web1, web2])).toEqual([
      { image: 'web1.qcow2', kind: 'disk', checkedByDefault: true, blocked: null },
      { image: 'shared.qcow2', kind: 'disk', checkedByDefault: false, blocked: 'also used by web2' },
      {
        image: 'base.qcow2',
        kind: 'disk',
        checkedByDefault: false,
        blocked: 'top.qcow2 is an overlay on it',
      },
      {
        image: 'gone.qcow2',
        kind: 'disk',
        checkedByDefault: false,
        blocked: 'the file is not in the image store',
      },
      { image: 'tiny.iso', kind: 'cd', checkedByDefault: false, blocked: 'also used by web2' },
    ]);
  });

  it('deletes the ticked images that may go, whatever was ticked by hand', () => {
    const only = vm('cccccccccccc', 'solo', ['solo.qcow2', 'solo2.qcow2'], 'solo.iso');
    const own = [
      image('solo.qcow2', [only.id]),
      image('solo2.qcow2', [only.id]),
      image('solo.iso', [only.id]),
    ];
    const choices = imageChoices(only, own, [only]);
    expect(imagesToDelete(choices, new Map())).toEqual(['solo.qcow2', 'solo2.qcow2']);
    expect(
      imagesToDelete(
        choices,
        new Map([
          ['solo2.qcow2', false],
          ['solo.iso', true],
        ]),
      ),
    ).toEqual(['solo.qcow2', 'solo.iso']);
    const booted = vm('dddddddddddd', 'k', [], undefined, { kernel: 'vmlinuz', initrd: 'initrd.img' });
    const files = [image('vmlinuz', [booted.id]), image('initrd.img', [booted.id])];
    expect(imageChoices(booted, files, [booted]).map((c) => [c.image, c.kind, c.checkedByDefault])).toEqual([
      ['vmlinuz', 'kernel', false],
      ['initrd.img', 'initrd', false],
    ]);
    const blocked = imageChoices(web1, images, [web1, web2]);
    expect(imagesToDelete(blocked, new Map([['shared.qcow2', true]]))).toEqual(['web1.qcow2']);
  });
});
