import {
  ErrorCode,
  LIVE_STATES,
  MAX_USB_DEVICES,
  usbDeviceText,
  usbMatches,
  type HostUsbList,
  type UsbDevice,
  type UsbDeviceRequest,
} from '@virtweb/protocol';
import { Conflict, NotFound } from '../domain/errors.ts';
import { hostUsbLabel, usbDeviceNode, type HostUsb, type HostUsbScan } from '../host/usb-devices.ts';
import { qemuRefused } from './storage/qemu-refused.ts';
import { storageMode, type StorageHost } from './storage/storage-host.ts';

/** What the USB operations need of the VM service. */
export interface UsbHost extends StorageHost {
  /** The host's USB devices now (sysfs). */
  scanUsb(): Promise<HostUsbScan>;
}

const bySlot = (list: readonly UsbDevice[]): UsbDevice[] => [...list].sort((a, b) => a.slot - b.slot);

/**
 * Host USB devices passed through to guests (virt-manager's "USB Host Device"): attached to a running guest
 * at once (and kept for its next start), or to a stopped one's definition. A device must be plugged into the
 * host when it is attached, and may be in one running guest at a time. Every change holds the VM's lock
 * (`states.run`, operation `usb`); the running qemu's `launched` follows, so nothing shows as pending.
 */
export class VmUsb {
  constructor(private readonly host: UsbHost) {}

  /** The host's USB devices (hubs too, marked), each with the guests that have it attached. */
  async hostDevices(): Promise<HostUsbList> {
    const scan = await this.host.scanUsb();
    const records = this.host.repo.list();
    return {
      devices: scan.devices.map((d) => ({
        ...d,
        usedBy: records
          .filter((r) => r.definition.usb.some((u) => usbMatches(u, d)))
          .map((r) => ({ id: r.id, name: r.definition.name })),
      })),
      ...(scan.note === undefined ? {} : { note: scan.note }),
    };
  }

  /**
   * Attaches the host device `req` picks in the lowest free slot: hot-plugged into a running or paused guest.
   * Rollback: none needed, the definition changes only once qemu has the device.
   * @throws NotFound (no such VM), Conflict (not plugged in, ambiguous, a hub, attached already or to a running
   *   guest, no free slot, wrong state, busy, qemu refused: its own words)
   */
  attach(id: string, req: UsbDeviceRequest): Promise<UsbDevice> {
    return this.host.states.run(id, 'usb', 'attaching a USB device', async (rec) => {
      const mode = storageMode(this.host, rec);
      const def = this.host.definition(id);
      if (def.usb.some((u) => usbDeviceText(u) === usbDeviceText(req))) {
        throw new Conflict(ErrorCode.exists, `USB ${usbDeviceText(req)} is attached to this guest already`);
      }
      const used = new Set(def.usb.map((u) => u.slot));
      const slot = [...Array(MAX_USB_DEVICES).keys()].find((s) => !used.has(s));
      if (slot === undefined) {
        throw new Conflict(ErrorCode.conflict, `all ${MAX_USB_DEVICES} USB slots of this guest are in use`);
      }
      const found = await this.plugged(req);
      const runningUser = this.host.repo
        .list()
        .find(
          (r) =>
            r.id !== id &&
            LIVE_STATES.includes(r.state) &&
            r.definition.usb.some((u) => found.some((h) => usbMatches(u, h))),
        );
      if (runningUser) {
        throw new Conflict(
          ErrorCode.inUse,
          `USB ${usbDeviceText(req)} is attached to ${runningUser.definition.name}, which is running: detach it there first`,
        );
      }
      const first = found[0];
      const dev: UsbDevice = {
        slot,
        vendorId: req.vendorId,
        productId: req.productId,
        ...(req.bus === undefined ? {} : { bus: req.bus }),
        ...(req.port === undefined ? {} : { port: req.port }),
        ...(first === undefined ? {} : { label: hostUsbLabel(first) }),
      };
      if (mode.live) {
        const { engine, guest, launched } = mode.rt;
        await engine.usb.plug(guest, dev, found.map(usbDeviceNode)).catch((err: unknown) => {
          throw qemuRefused(err, `cannot attach USB ${usbDeviceText(req)}`);
        });
        launched.usb = bySlot([...launched.usb, dev]);
      }
      this.host.updateDefinition(id, (d) => ({ ...d, usb: bySlot([...d.usb, dev]) }));
      return dev;
    });
  }

  /**
   * Detaches the USB device in `slot` (from the running guest too: USB needs no acknowledgement by the guest).
   * @throws NotFound (no such VM or device), Conflict (wrong state, busy, qemu refused)
   */
  async detach(id: string, slot: number): Promise<void> {
    await this.host.states.run(id, 'usb', `detaching USB device ${slot}`, async (rec) => {
      const mode = storageMode(this.host, rec);
      const dev = this.host.definition(id).usb.find((u) => u.slot === slot);
      if (!dev) throw new NotFound(`USB device ${slot} of VM ${rec.definition.name}`);
      if (mode.live) {
        const { engine, guest, launched } = mode.rt;
        await engine.usb.unplug(guest, slot).catch((err: unknown) => {
          throw qemuRefused(err, `cannot detach USB ${usbDeviceText(dev)}`);
        });
        launched.usb = launched.usb.filter((u) => u.slot !== slot);
      }
      this.host.updateDefinition(id, (d) => ({ ...d, usb: d.usb.filter((u) => u.slot !== slot) }));
    });
  }

  /** The host devices `req` picks, plugged in now: exactly one kind, not a hub. @throws Conflict */
  private async plugged(req: UsbDeviceRequest): Promise<HostUsb[]> {
    const scan = await this.host.scanUsb();
    const found = scan.devices.filter((h) => usbMatches(req, h));
    const what = `USB ${usbDeviceText(req)}`;
    if (found.length === 0) {
      const why = scan.note === undefined ? '' : ` (${scan.note})`;
      throw new Conflict(ErrorCode.conflict, `${what} is not plugged into this host${why}`, [
        { path: 'vendorId', message: 'not plugged in' },
      ]);
    }
    if (found.some((h) => h.hub)) {
      throw new Conflict(ErrorCode.conflict, `${what} is a hub: pass through the devices behind it instead`);
    }
    if (found.length > 1 && req.port === undefined) {
      const where = found.map((h) => `${h.bus}-${h.port}`).join(', ');
      throw new Conflict(
        ErrorCode.conflict,
        `${found.length} devices ${req.vendorId}:${req.productId} are plugged in (${where}): choose one by its bus and port`,
        [{ path: 'port', message: 'needed to tell them apart' }],
      );
    }
    return found;
  }
}
