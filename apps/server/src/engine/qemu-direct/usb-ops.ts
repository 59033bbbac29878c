import { usbHostId, usbHostProps } from '@virtweb/qemu';
import type { QemuAccess } from '../../host/qemu-access.ts';
import type { GuestUsbOps } from '../guest-usb.ts';
import { deleteDevice } from './live-devices.ts';

/** A USB unplug is the controller's doing: qemu reports DEVICE_DELETED at once, the guest is only told. */
const USB_UNPLUG_MS = 10_000;

/** Host USB devices of a qemu-direct guest: usb-host devices added and removed over QMP. */
export const qemuUsbOps = (access: QemuAccess): GuestUsbOps => ({
  async plug(guest, dev, nodes) {
    await access.grantDevices(nodes);
    await guest.qmp.execute('device_add', usbHostProps(dev));
  },
  async unplug(guest, slot) {
    await deleteDevice(guest.qmp, usbHostId(slot), 'USB device', USB_UNPLUG_MS);
  },
});
