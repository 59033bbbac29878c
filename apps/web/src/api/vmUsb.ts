import {
  HostUsbListSchema,
  UsbDeviceSchema,
  type HostUsbList,
  type UsbDevice,
  type UsbDeviceRequest,
} from '@virtweb/protocol';
import { requestJson, requestVoid } from './http.ts';

const usbPath = (id: string): string => `/api/vms/${encodeURIComponent(id)}/usb`;

/** The host's USB devices now, each with the guests that have it. */
export function listHostUsb(): Promise<HostUsbList> {
  return requestJson('GET', '/api/host/usb', HostUsbListSchema);
}

/** Hot-plugged when the VM runs. ApiError 400 (fields), 409 not plugged in, ambiguous, in a running guest. */
export function attachUsb(id: string, device: UsbDeviceRequest): Promise<UsbDevice> {
  return requestJson('POST', usbPath(id), UsbDeviceSchema, device);
}

/** Unplugged at once when the VM runs. ApiError 404, 409. */
export function detachUsb(id: string, slot: number): Promise<void> {
  return requestVoid('DELETE', `${usbPath(id)}/${slot}`);
}
