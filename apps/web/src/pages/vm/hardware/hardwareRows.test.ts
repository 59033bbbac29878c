import { describe, expect, it } from 'vitest';
import { DEFAULT_DEVICES, type Vm } from '@virtweb/protocol';
import { hardwareRows } from './hardwareRows.ts';

const vm: Vm = {
  id: '0123456789ab',
  name: 'web1',
  state: 'running',
  engine: { id: 'qemu-direct', connection: 'local' },
  os: 'linux',
  memoryMiB: 512,
  vcpus: 2,
  topology: { sockets: 1, cores: 2, threads: 1 },
  disks: [
    { image: 'a.qcow2', index: 2, format: 'qcow2', bus: 'virtio', cache: 'none', readOnly: true },
    { image: 'b.raw', index: 3, format: 'raw', bus: 'sata' },
  ],
  boot: 'disk',
  nics: [
    { slot: 1, mac: '52:54:00:aa:bb:cc', linkUp: false, mode: 'user', model: 'e1000', portForwards: [] },
  ],
  machine: 'q35',
  firmware: 'uefi',
  noKernelIrqchip: false,
  balloon: false,
  clock: 'utc',
  devices: { ...DEFAULT_DEVICES, watchdog: { model: 'i6300esb', action: 'reset' }, serialPorts: 3 },
  guestAgent: true,
  usb: [{ slot: 0, vendorId: '0781', productId: '5581', label: 'SanDisk Ultra' }],
  accel: 'auto',
  createdAt: '2026-01-01T00:00:00Z',
  pendingChanges: ['memoryMiB', 'devices'],
};

describe('hardwareRows', () => {
  it('lists every device with when a change applies, what is removable, and what waits for a restart', () => {
    const rows = hardwareRows(vm);
    const by = (key: string) => rows.find((r) => r.key === key);
    expect(rows.map((r) => r.key)).toEqual([
      'cpu',
      'memory',
      'machine',
      'boot',
      'disk-2',
      'disk-3',
      'cdrom',
      'nic-1',
      'video',
      'sound',
      'rng',
      'watchdog',
      'serial',
      'tpm',
      'agent',
      'tablet',
      'usb-0',
    ]);
    expect(by('disk-2')).toMatchObject({
      settings: 'a.qcow2 (qcow2, VirtIO, cache none, read-only)',
      applies: 'live',
      remove: { kind: 'disk', index: 2 },
    });
    // SATA is not hot-pluggable: it waits for the next start.
    expect(by('disk-3')).toMatchObject({ applies: 'next start', pending: false });
    expect(by('tpm')?.settings).toBe('none');
    // An empty drive has nothing to eject.
    expect(by('cdrom')).toMatchObject({ settings: 'empty', applies: 'live' });
    expect(by('cdrom')?.remove).toBeUndefined();
    expect(by('nic-1')?.settings).toBe('user-mode NAT, e1000, 52:54:00:aa:bb:cc, link down');
    expect(by('usb-0')).toMatchObject({
      settings: 'SanDisk Ultra (0781:5581)',
      remove: { kind: 'usb', slot: 0 },
    });
    expect(by('serial')?.settings).toBe('ttyS0 (the console) to ttyS2');
    expect(by('watchdog')?.settings).toBe('i6300esb: reset the guest');
    expect(by('memory')?.pending).toBe(true);
    expect(by('video')?.pending).toBe(true);
    expect(by('cpu')?.pending).toBe(true);
    expect(by('boot')?.pending).toBe(false);
    expect(by('tablet')?.applies).toBe('fixed');
  });
});
