// Host USB devices passed through to the guest: usb-host on the xHCI controller every guest has (`usb`).
import type { Fail } from './argv-opts.ts';

/** Passed-through USB devices per guest (qemu ids `usbhost0`..`usbhost7`). */
export const USB_SLOTS = 8;

/** One passed-through device: picked by vendor/product, and by the host bus and port when given. */
export interface UsbHostSpec {
  slot: number;
  /** Four lowercase hex digits. */
  vendorId: string;
  productId: string;
  bus?: number;
  /** Port path below the bus (`1.4`). */
  port?: string;
}

/** qemu's id of the usb-host device in `slot`. */
export const usbHostId = (slot: number): string => `usbhost${slot}`;

/**
 * The usb-host properties for `-device` and for QMP `device_add` alike.
 * NOTE: qemu takes a device that is not plugged in (yet): usb-host then waits and attaches it to the guest
 * when the host sees it appear (libusb hotplug), which is also how a device unplugged from the host comes back.
 */
export function usbHostProps(d: UsbHostSpec): {
  driver: string;
  id: string;
  bus: string;
  [prop: string]: string | number;
} {
  return {
    driver: 'usb-host',
    id: usbHostId(d.slot),
    bus: 'usb.0',
    vendorid: parseInt(d.vendorId, 16),
    productid: parseInt(d.productId, 16),
    ...(d.bus === undefined ? {} : { hostbus: d.bus }),
    ...(d.port === undefined ? {} : { hostport: d.port }),
  };
}

const hex4 = (id: number): string => `0x${id.toString(16).padStart(4, '0')}`;

/** `-device usb-host,...` for each device (ids and numbers only: nothing here needs option escaping). */
export function usbHostArgs(devices: readonly UsbHostSpec[]): string[] {
  return devices.flatMap((d) => {
    const { driver, vendorid, productid, ...rest } = usbHostProps(d);
    const opts = [`vendorid=${hex4(Number(vendorid))}`, `productid=${hex4(Number(productid))}`];
    for (const [k, v] of Object.entries(rest)) opts.push(`${k}=${v}`);
    return ['-device', [driver, ...opts].join(',')];
  });
}

/** At most 8, each slot once; ids of four hex digits; a port only with its bus, in sysfs's dotted form. */
export function validateUsb(devices: readonly UsbHostSpec[], fail: Fail): void {
  if (devices.length > USB_SLOTS) fail(`at most ${USB_SLOTS} USB devices: ${devices.length}`);
  const slots = new Set<number>();
  for (const d of devices) {
    if (!Number.isInteger(d.slot) || d.slot < 0 || d.slot >= USB_SLOTS)
      fail(`USB slot out of range: ${d.slot}`);
    if (slots.has(d.slot)) fail(`USB slot ${d.slot} is used twice`);
    slots.add(d.slot);
    if (!/^[0-9a-f]{4}$/.test(d.vendorId) || !/^[0-9a-f]{4}$/.test(d.productId))
      fail(`USB ids are four lowercase hex digits: ${d.vendorId}:${d.productId}`);
    if (d.port !== undefined && (d.bus === undefined || !/^[1-9][0-9]*(\.[1-9][0-9]*)*$/.test(d.port)))
      fail(`a USB port is like 1.4 and needs its bus: ${d.port}`);
    if (d.bus !== undefined && (!Number.isInteger(d.bus) || d.bus < 1 || d.bus > 255))
      fail(`USB bus out of range: ${d.bus}`);
  }
}
