// The USB scan against a sysfs tree made in a temp dir (this host has no USB bus; the real scan says so).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostUsbLabel, scanHostUsb, usbDeviceNode } from './usb-devices.ts';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function device(name: string, attrs: Record<string, string>): void {
  mkdirSync(join(root, name), { recursive: true });
  for (const [k, v] of Object.entries(attrs)) writeFileSync(join(root, name, k), `${v}\n`);
}

describe('scanHostUsb', () => {
  it('lists devices and root hubs by bus and number, leaving out interfaces and half-read entries', async () => {
    root = mkdtempSync(join(tmpdir(), 'virtweb-sysfs-usb-'));
    device('usb1', {
      busnum: '1',
      devnum: '1',
      idVendor: '1d6b',
      idProduct: '0002',
      bDeviceClass: '09',
      speed: '480',
    });
    device('1-1.4', {
      busnum: '1',
      devnum: '7',
      idVendor: '046D',
      idProduct: 'c52b',
      manufacturer: 'Logitech',
      product: 'USB Receiver',
      bDeviceClass: '00',
      speed: '12',
    });
    device('1-1.4:1.0', { bInterfaceClass: '03' });
    device('2-3', { busnum: '2', devnum: '4', idVendor: '0781', idProduct: '5581', speed: '5000' });
    device('2-4', { busnum: '2' }); // unplugged while read: no devnum, ids
    const scan = await scanHostUsb(root);
    expect(scan.note).toBeUndefined();
    expect(scan.devices).toEqual([
      { bus: 1, device: 1, port: '', vendorId: '1d6b', productId: '0002', speedMbps: 480, hub: true },
      {
        bus: 1,
        device: 7,
        port: '1.4',
        vendorId: '046d',
        productId: 'c52b',
        manufacturer: 'Logitech',
        product: 'USB Receiver',
        speedMbps: 12,
        hub: false,
      },
      { bus: 2, device: 4, port: '3', vendorId: '0781', productId: '5581', speedMbps: 5000, hub: false },
    ]);
    expect(scan.devices.map(hostUsbLabel)).toEqual(['1d6b:0002', 'Logitech USB Receiver', '0781:5581']);
    expect(usbDeviceNode({ bus: 1, device: 7 })).toBe('/dev/bus/usb/001/007');
  });

  it('says when the host has no USB bus at all', async () => {
    root = mkdtempSync(join(tmpdir(), 'virtweb-sysfs-usb-'));
    const scan = await scanHostUsb(join(root, 'missing'));
    expect(scan).toEqual({ devices: [], note: expect.stringMatching(/this host has no USB bus/) as unknown });
  });
});
