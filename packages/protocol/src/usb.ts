import { z } from 'zod';
import { slotSchema } from './slots.ts';

/** A guest has USB passthrough slots 0..7; a device keeps its slot (qemu id `usbhost<slot>`) while attached. */
export const MAX_USB_DEVICES = 8;

export const UsbSlotSchema = slotSchema(MAX_USB_DEVICES, 'USB');

/** A USB vendor or product id as lsusb prints it: four hex digits, stored lowercase. */
export const UsbIdSchema = z
  .string()
  .regex(/^[0-9A-Fa-f]{4}$/, 'a USB id is four hex digits, like 046d')
  .transform((id) => id.toLowerCase());

/** A host USB port path as sysfs names it below the bus: `1`, `1.4`, `2.1.3` (hubs in between). */
export const UsbPortSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,2}(\.[1-9][0-9]{0,2}){0,6}$/, 'a USB port is like 1 or 1.4 (hub ports after dots)');

/**
 * What picks a host USB device for a guest: vendor and product (the device wherever it is plugged), and, to
 * tell two of the same kind apart, the bus and port it is plugged into (`port` without `bus` is meaningless).
 */
export const UsbDeviceRequestSchema = z
  .strictObject({
    vendorId: UsbIdSchema,
    productId: UsbIdSchema,
    bus: z.number().int().min(1, 'USB buses start at 1').max(255, 'USB buses end at 255').optional(),
    port: UsbPortSchema.optional(),
  })
  .refine((d) => d.port === undefined || d.bus !== undefined, {
    path: ['port'],
    message: 'a port needs its bus',
  });
export type UsbDeviceRequest = z.output<typeof UsbDeviceRequestSchema>;

/** A host USB device passed through to a guest (usb-host on the guest's xHCI controller), kept for restarts. */
export const UsbDeviceSchema = z.strictObject({
  slot: UsbSlotSchema,
  vendorId: UsbIdSchema,
  productId: UsbIdSchema,
  bus: z.number().int().min(1).max(255).optional(),
  port: UsbPortSchema.optional(),
  /** The name the host gave it when it was attached ("Logitech USB Receiver"), for lists. */
  label: z.string().max(200).optional(),
});
export type UsbDevice = z.infer<typeof UsbDeviceSchema>;

export const UsbDevicesSchema = z.array(UsbDeviceSchema).max(MAX_USB_DEVICES).default([]);

/** A USB device plugged into the host, as sysfs shows it (`GET /api/host/usb`). */
export const HostUsbDeviceSchema = z.object({
  bus: z.number().int(),
  /** The device number on its bus (changes at every replug). */
  device: z.number().int(),
  /** Port path below the bus (`1.4`); empty for a bus's root hub. */
  port: z.string(),
  vendorId: z.string(),
  productId: z.string(),
  manufacturer: z.string().optional(),
  product: z.string().optional(),
  /** Mbit/s as the kernel says (1.5, 12, 480, 5000, …). */
  speedMbps: z.number().optional(),
  /** USB class 09: a hub (root hubs too) is not passed through. */
  hub: z.boolean(),
  /** The guests that have it attached (by vendor/product, and bus/port when they gave them). */
  usedBy: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type HostUsbDevice = z.infer<typeof HostUsbDeviceSchema>;

export const HostUsbListSchema = z.object({
  devices: z.array(HostUsbDeviceSchema),
  /** Why the list is empty when the host has no USB at all (no /sys/bus/usb). */
  note: z.string().optional(),
});
export type HostUsbList = z.infer<typeof HostUsbListSchema>;

/** Whether `dev` (on the host) is what `want` asks for. */
export function usbMatches(
  want: UsbDeviceRequest,
  dev: { vendorId: string; productId: string; bus: number; port: string },
): boolean {
  if (want.vendorId !== dev.vendorId || want.productId !== dev.productId) return false;
  if (want.bus !== undefined && want.bus !== dev.bus) return false;
  return want.port === undefined || want.port === dev.port;
}

/** "Logitech USB Receiver": what the device says its maker and product are, when it says. */
export function usbName(d: {
  manufacturer?: string | undefined;
  product?: string | undefined;
}): string | undefined {
  const name = [d.manufacturer, d.product].filter((s) => s !== undefined && s !== '').join(' ');
  return name === '' ? undefined : name;
}

/** `046d:c52b` or `046d:c52b on 1-1.4`, as lsusb and sysfs people read it. */
export function usbDeviceText(d: UsbDeviceRequest): string {
  const at = d.bus === undefined ? '' : d.port === undefined ? ` on bus ${d.bus}` : ` on ${d.bus}-${d.port}`;
  return `${d.vendorId}:${d.productId}${at}`;
}
