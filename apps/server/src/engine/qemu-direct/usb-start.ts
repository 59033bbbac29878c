import { usbDeviceText, usbMatches, type UsbDevice } from '@virtweb/protocol';
import type { UsbHostSpec } from '@virtweb/qemu';
import { usbDeviceNode, type HostUsbScan } from '../../host/usb-devices.ts';

/** A start's passed-through USB devices: qemu's spec, the host nodes to grant, and what is not plugged in. */
export interface UsbAtStart {
  spec: UsbHostSpec[];
  nodes: string[];
  notes: string[];
}

/**
 * The guest's USB devices as a start sees the host now. A device not plugged in is still given to qemu (it
 * attaches it when it appears) and a note says so: qemu's user may open only the nodes granted here, so a
 * device plugged in later needs detaching and attaching again.
 */
export async function usbAtStart(
  devices: readonly UsbDevice[],
  scan: () => Promise<HostUsbScan>,
): Promise<UsbAtStart> {
  if (devices.length === 0) return { spec: [], nodes: [], notes: [] };
  const host = (await scan()).devices.filter((d) => !d.hub);
  const nodes: string[] = [];
  const notes: string[] = [];
  for (const dev of devices) {
    const found = host.filter((h) => usbMatches(dev, h));
    if (found.length === 0) {
      notes.push(
        `USB ${dev.label ?? ''} (${usbDeviceText(dev)}) is not plugged into this host: qemu attaches it when it ` +
          'appears, after it is detached and attached again here',
      );
    }
    nodes.push(...found.map(usbDeviceNode));
  }
  const spec = devices.map(({ slot, vendorId, productId, bus, port }) => ({
    slot,
    vendorId,
    productId,
    ...(bus === undefined ? {} : { bus }),
    ...(port === undefined ? {} : { port }),
  }));
  return { spec, nodes, notes };
}
