import { describe, expect, it } from 'vitest';
import { DEFAULT_DEVICES, type Vm } from '@virtweb/protocol';
import { ApiError } from '../../../api/errors.ts';
import {
  changedFields,
  configSignature,
  errorKey,
  knownKeys,
  serverSettingsErrors,
  settingsValuesOf,
  validateSettings,
  type SettingsValues,
} from './settingsValues.ts';

const vm: Vm = {
  id: '0123456789ab',
  name: 'web1',
  state: 'stopped',
  engine: { id: 'qemu-direct', connection: 'local' },
  os: 'linux',
  memoryMiB: 512,
  vcpus: 2,
  topology: { sockets: 1, cores: 2, threads: 1 },
  disks: [
    { image: 'a.qcow2', index: 0, format: 'qcow2', bus: 'virtio' },
    { image: 'b.raw', index: 1, format: 'raw', bus: 'sata' },
  ],
  cdrom: 'tiny.iso',
  boot: 'cdrom',
  nics: [
    {
      slot: 0,
      mac: '52:54:00:aa:bb:cc',
      linkUp: true,
      mode: 'user',
      model: 'virtio',
      portForwards: [{ protocol: 'tcp', hostAddress: '127.0.0.1', hostPort: 2222, guestPort: 22 }],
    },
    { slot: 3, mac: '52:54:00:aa:bb:cd', linkUp: false, mode: 'tap', model: 'rtl8139', tap: 'tap0' },
  ],
  machine: 'q35',
  firmware: 'bios',
  noKernelIrqchip: false,
  balloon: true,
  clock: 'utc',
  devices: DEFAULT_DEVICES,
  guestAgent: false,
  usb: [],
  accel: 'auto',
  createdAt: '2026-01-01T00:00:00Z',
};

const edit = (patch: Partial<SettingsValues>): SettingsValues => ({ ...settingsValuesOf(vm), ...patch });

describe('validateSettings', () => {
  it('turns the unchanged form back into the stored configuration', () => {
    const result = validateSettings(settingsValuesOf(vm));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(changedFields(vm, result.request)).toEqual([]);
    expect(result.request.disks).toEqual([
      { image: 'a.qcow2', bus: 'virtio' },
      { image: 'b.raw', bus: 'sata' },
    ]);
    // The default topology is left to the server.
    expect(result.request.topology).toBeUndefined();
  });

  it('lists what an edit changes', () => {
    const result = validateSettings(edit({ memoryMiB: '1024', vcpus: '4', name: ' web2 ' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.request.name).toBe('web2');
    expect(changedFields(vm, result.request).sort()).toEqual(['memoryMiB', 'name', 'topology', 'vcpus']);
  });

  it('sends vCPU pinning as CPU sets for the vCPUs the guest has, and refuses a list it cannot read', () => {
    const result = validateSettings(edit({ vcpus: '2', pinning: ['1', '0-1', '0'] }));
    expect(result.ok && result.request.devices?.cpuPinning).toEqual([[1], [0, 1]]);
    const trailing = validateSettings(edit({ vcpus: '2', pinning: ['1', ' '] }));
    expect(trailing.ok && trailing.request.devices?.cpuPinning).toEqual([[1]]);
    const bad = validateSettings(edit({ vcpus: '2', pinning: ['', '1-'] }));
    expect(bad.ok ? {} : bad.errors).toEqual({
      'devices.cpuPinning.1': 'host CPUs as in 0-3,6 (empty: any)',
    });
  });

  it('puts schema messages on the fields, numbers first as numbers', () => {
    const result = validateSettings(edit({ name: '', memoryMiB: 'lots', vcpus: '0' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.name).toBe('name is empty');
    expect(result.errors.memoryMiB).toBe('enter a whole number');
    expect(result.errors.vcpus).toBe('at least one vCPU');
  });

  it('checks the topology against the vCPU count', () => {
    const result = validateSettings(edit({ customTopology: true, sockets: '2', cores: '2', threads: '1' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.topology).toMatch(/is 4, not 2 vCPUs/);
    const fine = validateSettings(edit({ customTopology: true, sockets: '2', cores: '1', threads: '1' }));
    expect(fine.ok && fine.request.topology).toEqual({ sockets: 2, cores: 1, threads: 1 });
  });

  it('wants a kernel for direct kernel boot and sends it only then', () => {
    const missing = validateSettings(edit({ boot: 'kernel', kernel: '' }));
    expect(!missing.ok && missing.errors.kernel).toBe('direct kernel boot needs a kernel image');
    const kernel = validateSettings(edit({ boot: 'kernel', kernel: 'vmlinuz', cmdline: ' console=ttyS0 ' }));
    expect(kernel.ok && kernel.request.kernel).toEqual({ kernel: 'vmlinuz', cmdline: 'console=ttyS0' });
    const disk = validateSettings(edit({ boot: 'disk', kernel: 'vmlinuz' }));
    expect(disk.ok && disk.request.kernel).toBeUndefined();
  });

  it('refuses Secure Boot on the pc machine', () => {
    const result = validateSettings(edit({ firmware: 'uefi-secure', machine: 'pc' }));
    expect(!result.ok && result.errors.firmware).toMatch(/needs the q35 machine/);
  });

  it('checks port forwards: numbers, range and duplicates', () => {
    const network = settingsValuesOf(vm).network;
    const forwards = [
      { protocol: 'tcp' as const, hostAddress: '127.0.0.1' as const, hostPort: '8080', guestPort: '80' },
      { protocol: 'tcp' as const, hostAddress: '0.0.0.0' as const, hostPort: '8080', guestPort: '81' },
      { protocol: 'udp' as const, hostAddress: '127.0.0.1' as const, hostPort: '8080', guestPort: '70000' },
      { protocol: 'tcp' as const, hostAddress: '127.0.0.1' as const, hostPort: '', guestPort: '22' },
    ];
    const result = validateSettings(edit({ network: { ...network, portForwards: forwards } }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors['nics.0.portForwards.0.hostPort']).toBeUndefined();
    expect(result.errors['nics.0.portForwards.1.hostPort']).toMatch(/already forwarded \(forward 1\)/);
    expect(result.errors['nics.0.portForwards.2.hostPort']).toBeUndefined();
    expect(result.errors['nics.0.portForwards.2.guestPort']).toBe('ports are 1 to 65535');
    expect(result.errors['nics.0.portForwards.3.hostPort']).toBe('enter a whole number');
  });

  it('needs a bridge name in bridge mode and drops the port forwards there', () => {
    const network = settingsValuesOf(vm).network;
    const empty = validateSettings(edit({ network: { ...network, mode: 'bridge', bridge: '' } }));
    expect(!empty.ok && empty.errors['nics.0.bridge']).toBe('interface name is empty');
    const bridged = validateSettings(edit({ network: { ...network, mode: 'bridge', bridge: 'br0' } }));
    // The first NIC keeps its slot, MAC and link; the others are sent as they are.
    expect(bridged.ok && bridged.request.nics).toEqual([
      { slot: 0, mac: '52:54:00:aa:bb:cc', linkUp: true, mode: 'bridge', model: 'virtio', bridge: 'br0' },
      { slot: 3, mac: '52:54:00:aa:bb:cd', linkUp: false, mode: 'tap', model: 'rtl8139', tap: 'tap0' },
    ]);
  });

  it("sends the VM's own disks and CD while they are locked (running guest)", () => {
    const values = edit({ disks: [], cdrom: '', memoryMiB: '768' });
    const result = validateSettings(values, { disks: settingsValuesOf(vm).disks, cdrom: 'tiny.iso' });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(changedFields(vm, result.request)).toEqual(['memoryMiB']);
  });
});

describe('error paths', () => {
  const known = knownKeys(settingsValuesOf(vm));

  it('maps zod and server paths to the nearest control', () => {
    expect(errorKey(['disks', 1, 'image'], known)).toBe('disks.1');
    expect(errorKey('disks.0.bus', known)).toBe('disks.0.bus');
    expect(errorKey('/body/memoryMiB', known)).toBe('memoryMiB');
    expect(errorKey('nics.0.portForwards.0.guestPort', known)).toBe('nics.0.portForwards.0.guestPort');
    expect(errorKey('nics.0.portForwards.5.guestPort', known)).toBe('nics.0.portForwards');
    expect(errorKey('nonsense', known)).toBeNull();
  });

  it('shows server details on fields, a name clash on the name, the rest for the form', () => {
    const values = settingsValuesOf(vm);
    const bad = new ApiError(400, 'validation_failed', 'invalid request', [
      { path: 'memoryMiB', message: 'more than the host has' },
      { path: 'whatever', message: 'odd' },
    ]);
    expect(serverSettingsErrors(bad, values)).toEqual({
      errors: { memoryMiB: 'more than the host has' },
      form: 'whatever: odd',
    });
    const clash = new ApiError(409, 'already_exists', 'a VM named web2 exists');
    expect(serverSettingsErrors(clash, values)).toEqual({
      errors: { name: 'a VM named web2 exists' },
      form: null,
    });
    const running = new ApiError(409, 'wrong_state', 'change disks in the Storage tab');
    expect(serverSettingsErrors(running, values).form).toBe('change disks in the Storage tab');
  });
});

describe('configSignature', () => {
  it('changes with the configuration, not with the state', () => {
    expect(configSignature({ ...vm, state: 'running', pid: 42 })).toBe(configSignature(vm));
    expect(configSignature({ ...vm, memoryMiB: 513 })).not.toBe(configSignature(vm));
  });
});
