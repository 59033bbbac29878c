import { describe, expect, it } from 'vitest';
import type { HostInfo, Image } from '@virtweb/protocol';
import { checkWizard, candidateOf, type WizardContext } from './wizardRequest.ts';
import { applyPreset, diskNameOf, initialWizardValues, type WizardValues } from './wizardValues.ts';

const MIB = 2 ** 20;
const image = (name: string, format: string): Image =>
  ({ name, format, virtualSize: 100 * MIB, backingChain: [] }) as unknown as Image;
const images = [image('tinylinux.iso', 'raw'), image('old.qcow2', 'qcow2'), image('vmlinuz', 'kernel')];
const host = {
  cpus: 2,
  memoryBytes: 4096 * MIB,
  accel: { default: 'auto', auto: 'tcg', kvm: { usable: false, reason: 'no /dev/kvm' } },
  firmware: { uefi: true, secureBoot: false },
  network: { bridges: [], taps: [] },
} as unknown as HostInfo;
const ctx: WizardContext = { images, host, vmNames: ['web0'] };

const form = (patch: Partial<WizardValues>): WizardValues => ({
  ...initialWizardValues(images, host),
  name: 'web1',
  ...patch,
});

describe('checkWizard', () => {
  it('builds the request: ISO install onto a new qcow2 disk named after the VM, user NAT with a forward', () => {
    const v = form({
      network: {
        mode: 'user',
        model: 'virtio',
        bridge: '',
        tap: '',
        network: '',
        portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: '2222', guestPort: '22' }],
      },
      machine: 'pc',
      accel: 'tcg',
    });
    const result = checkWizard(v, ctx);
    expect(result).toEqual({
      ok: true,
      request: {
        name: 'web1',
        os: 'linux',
        memoryMiB: 1024,
        vcpus: 1,
        boot: 'cdrom',
        cdrom: 'tinylinux.iso',
        disks: [{ image: 'web1.qcow2', bus: 'virtio', create: { format: 'qcow2', sizeBytes: 10 * 2 ** 30 } }],
        nics: [
          {
            mode: 'user',
            model: 'virtio',
            linkUp: true,
            portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }],
          },
        ],
        balloon: true,
        clock: 'utc',
        firmware: 'bios',
        machine: 'pc',
        accel: 'tcg',
        noKernelIrqchip: false,
      },
    });
  });

  it('puts the schema and the host limits on the fields', () => {
    const result = checkWizard(
      form({ name: '', memoryMiB: '999999', vcpus: '', sockets: '2', cores: '2' }),
      ctx,
    );
    expect(result.ok).toBe(false);
    expect(result.errors).toMatchObject({
      name: 'name is empty',
      memoryMiB: expect.stringContaining('at most 4096 MiB') as unknown,
      vcpus: 'enter a whole number',
    });
    const mismatch = checkWizard(form({ vcpus: '2', sockets: '2', cores: '2' }), ctx);
    expect(mismatch.errors).toEqual({ topology: 'sockets × cores × threads is 4, not 2 vCPUs' });
    expect(checkWizard(form({ vcpus: '3' }), ctx).errors).toEqual({
      vcpus: 'at most 2: the host has 2 CPUs',
    });
  });

  it('explains kernel boot without a kernel, a missing ISO and a taken image name', () => {
    expect(checkWizard(form({ media: 'kernel' }), ctx).errors).toEqual({
      kernel: 'direct kernel boot needs a kernel image',
    });
    expect(checkWizard(form({ iso: '' }), ctx).errors).toEqual({
      cdrom: 'choose an ISO image, or upload one below',
    });
    expect(checkWizard(form({ diskName: 'old.qcow2' }), ctx).errors?.['disks.0.image']).toMatch(
      /^an image named old.qcow2 already exists/,
    );
    // A guest's name is flagged on the first step, not only by the server's preview on the last.
    expect(checkWizard(form({ name: ' web0 ' }), ctx).errors).toEqual({
      name: 'a VM named web0 already exists',
    });
  });

  it('keys port forward problems by row, duplicates included', () => {
    const forward = { protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: '8080', guestPort: '80' } as const;
    const v = form({
      network: {
        mode: 'user',
        model: 'e1000',
        bridge: '',
        tap: '',
        network: '',
        portForwards: [
          forward,
          { ...forward, hostAddress: '0.0.0.0' },
          { ...forward, hostPort: '', guestPort: '70000' },
        ],
      },
    });
    expect(checkWizard(v, ctx).errors).toEqual({
      'nics.0.portForwards.1.hostPort': 'host tcp port 8080 is already forwarded (forward 1)',
      'nics.0.portForwards.2.hostPort': 'enter a port number (1 to 65535)',
      'nics.0.portForwards.2.guestPort': 'ports are 1 to 65535',
    });
  });

  it('sends direct kernel boot, an imported disk, and no irqchip switch without KVM', () => {
    const kernel = candidateOf(
      form({
        media: 'kernel',
        kernel: 'vmlinuz',
        cmdline: ' console=ttyS0 ',
        storage: 'none',
        noKernelIrqchip: true,
      }),
      host,
    );
    expect(kernel).toMatchObject({
      boot: 'kernel',
      kernel: { kernel: 'vmlinuz', cmdline: 'console=ttyS0' },
      disks: [],
      noKernelIrqchip: false,
    });
    expect(kernel).not.toHaveProperty('cdrom');
    const kvmHost = { ...host, accel: { ...host.accel, auto: 'kvm' } } as HostInfo;
    const tcgDefault = { ...host, accel: { ...host.accel, default: 'tcg', auto: 'kvm' } } as HostInfo;
    expect(candidateOf(form({ noKernelIrqchip: true }), tcgDefault)).toMatchObject({
      noKernelIrqchip: false,
    });
    expect(candidateOf(form({ noKernelIrqchip: true }), kvmHost)).toMatchObject({ noKernelIrqchip: true });
    const imported = candidateOf(form({ media: 'import', importDisk: 'old.qcow2', diskBus: 'ide' }), host);
    expect(imported).toMatchObject({ boot: 'disk', disks: [{ image: 'old.qcow2', bus: 'ide' }] });
  });

  it('refuses UEFI + Secure Boot on pc with the schema message on the firmware', () => {
    const errors = checkWizard(form({ firmware: 'uefi-secure', machine: 'pc' }), ctx).errors;
    expect(errors?.firmware).toMatch(/^Secure Boot firmware needs the q35 machine/);
  });
});

describe('presets and defaults', () => {
  it('a preset fills the fields the user has not touched', () => {
    const v = form({ memoryMiB: '2048' });
    const windows = applyPreset(v, 'windows', new Set(['memoryMiB']));
    expect(windows).toMatchObject({
      os: 'windows',
      memoryMiB: '2048',
      vcpus: '2',
      diskBus: 'sata',
      clock: 'localtime',
    });
    expect(windows.network.model).toBe('e1000');
    expect(windows.diskSize).toBe('64G');
  });

  it('names the new disk after the VM until the user names it', () => {
    expect(diskNameOf({ name: ' web1 ', diskName: null, diskFormat: 'qcow2' })).toBe('web1.qcow2');
    expect(diskNameOf({ name: 'web1', diskName: null, diskFormat: 'raw' })).toBe('web1.img');
    expect(diskNameOf({ name: '', diskName: null, diskFormat: 'qcow2' })).toBe('disk.qcow2');
    expect(diskNameOf({ name: 'web1', diskName: 'mine.qcow2', diskFormat: 'qcow2' })).toBe('mine.qcow2');
  });
});
