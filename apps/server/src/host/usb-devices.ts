// The host's USB devices as sysfs shows them (what `lsusb` lists), for passing them through to guests.
import fs from 'node:fs/promises';
import path from 'node:path';
import { usbName } from '@virtweb/protocol';

export const SYSFS_USB = '/sys/bus/usb/devices';

/** One device plugged into the host (a hub too). */
export interface HostUsb {
  bus: number;
  device: number;
  /** Port path below the bus (`1.4`), `''` for a root hub. */
  port: string;
  vendorId: string;
  productId: string;
  manufacturer?: string;
  product?: string;
  speedMbps?: number;
  hub: boolean;
}

export interface HostUsbScan {
  devices: HostUsb[];
  /** Why there is nothing at all: the host has no USB bus (no `/sys/bus/usb`). */
  note?: string;
}

// `usb1` is bus 1's root hub, `1-1.4` a device on port 1.4 of bus 1; `1-1.4:1.0` (an interface) is not a device.
const DEVICE_DIR = /^(?:usb(\d+)|(\d+)-([\d.]+))$/;

/** The USB devices below `root` (sysfs's `/sys/bus/usb/devices`), by bus and device number. */
export async function scanHostUsb(root = SYSFS_USB): Promise<HostUsbScan> {
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return { devices: [], note: `this host has no USB bus (${root} is missing)` };
  }
  const devices: HostUsb[] = [];
  for (const name of names) {
    const m = DEVICE_DIR.exec(name);
    if (!m) continue;
    const dev = await readDevice(path.join(root, name), m[3] ?? '');
    if (dev) devices.push(dev);
  }
  devices.sort((a, b) => a.bus - b.bus || a.device - b.device);
  return { devices };
}

async function readDevice(dir: string, port: string): Promise<HostUsb | undefined> {
  const attr = (name: string) =>
    fs.readFile(path.join(dir, name), 'utf8').then(
      (s) => s.trim(),
      () => undefined,
    );
  const [busnum, devnum, vendorId, productId, manufacturer, product, speed, cls] = await Promise.all(
    ['busnum', 'devnum', 'idVendor', 'idProduct', 'manufacturer', 'product', 'speed', 'bDeviceClass'].map(
      attr,
    ),
  );
  const bus = Number(busnum);
  const device = Number(devnum);
  // A device unplugged while it was read, or an entry that is not a device: left out.
  if (!Number.isInteger(bus) || !Number.isInteger(device) || bus < 1 || device < 1) return undefined;
  if (vendorId === undefined || productId === undefined || !/^[0-9a-f]{8}$/i.test(vendorId + productId)) {
    return undefined;
  }
  const mbps = Number(speed);
  return {
    bus,
    device,
    port,
    vendorId: vendorId.toLowerCase(),
    productId: productId.toLowerCase(),
    ...(manufacturer ? { manufacturer: manufacturer.slice(0, 200) } : {}),
    ...(product ? { product: product.slice(0, 200) } : {}),
    ...(speed !== undefined && Number.isFinite(mbps) && mbps > 0 ? { speedMbps: mbps } : {}),
    hub: cls === '09',
  };
}

/** The device node qemu opens for `d` (libusb's usbfs path), built from numbers only. */
export function usbDeviceNode(d: { bus: number; device: number }): string {
  const pad = (n: number) => String(n).padStart(3, '0');
  return `/dev/bus/usb/${pad(d.bus)}/${pad(d.device)}`;
}

/** "Logitech USB Receiver" or "046d:c52b". */
export function hostUsbLabel(d: HostUsb): string {
  return usbName(d) ?? `${d.vendorId}:${d.productId}`;
}
