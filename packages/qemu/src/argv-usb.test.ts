import { describe, expect, it } from 'vitest';
import { buildArgv } from './argv.ts';
import { runtimePaths, type VmSpec } from './spec.ts';

const BASE: VmSpec = { name: 'usb', memoryMiB: 64, vcpus: 1, accel: 'tcg', disks: [], boot: 'disk' };
const paths = runtimePaths('/run/virtweb/usb');

describe('usb-host argv', () => {
  it('puts each device on the xHCI bus by vendor/product, with the host bus and port when given', () => {
    const argv = buildArgv(
      {
        ...BASE,
        usb: [
          { slot: 0, vendorId: '046d', productId: 'c52b' },
          { slot: 2, vendorId: '0781', productId: '5581', bus: 3, port: '1.4' },
        ],
      },
      paths,
    );
    expect(argv.slice(-4)).toEqual([
      '-device',
      'usb-host,vendorid=0x046d,productid=0xc52b,id=usbhost0,bus=usb.0',
      '-device',
      'usb-host,vendorid=0x0781,productid=0x5581,id=usbhost2,bus=usb.0,hostbus=3,hostport=1.4',
    ]);
    expect(buildArgv(BASE, paths).join(' ')).not.toContain('usb-host');
  });

  it.each([
    [[{ slot: 0, vendorId: '046D', productId: 'c52b' }], /four lowercase hex digits/],
    [[{ slot: 0, vendorId: '046d', productId: 'c52' }], /four lowercase hex digits/],
    [[{ slot: 8, vendorId: '046d', productId: 'c52b' }], /slot out of range/],
    [
      [
        { slot: 1, vendorId: '046d', productId: 'c52b' },
        { slot: 1, vendorId: '046d', productId: 'c52c' },
      ],
      /slot 1 is used twice/,
    ],
    [[{ slot: 0, vendorId: '046d', productId: 'c52b', port: '1' }], /needs its bus/],
    [[{ slot: 0, vendorId: '046d', productId: 'c52b', bus: 1, port: '1,x' }], /a USB port is like/],
    [[{ slot: 0, vendorId: '046d', productId: 'c52b', bus: 0 }], /bus out of range/],
  ] as const)('refuses %j', (usb, message) => {
    expect(() => buildArgv({ ...BASE, usb: [...usb] }, paths)).toThrow(message);
  });
});
