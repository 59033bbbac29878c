import { nicIds } from '@virtweb/qemu';
import type { GuestNicOps } from '../guest-nics.ts';
import { plugNic, unplugNic } from './live-nics.ts';
import { nicSpec } from './nic-spec.ts';
import type { QemuLauncher } from './qemu-launcher.ts';

/** NICs of a qemu-direct guest, over its QMP connection; the taps are the launcher's (as at a start). */
export const qemuNicOps = (launcher: Pick<QemuLauncher, 'makeTap' | 'removeTap'>): GuestNicOps => ({
  async plug(id, guest, machine, nic) {
    await launcher.makeTap(id, nic);
    try {
      await plugNic(guest.qmp, machine, nicSpec(id, nic));
      if (!nic.linkUp) await guest.qmp.execute('set_link', { name: nicIds(nic.slot).device, up: false });
    } catch (err) {
      // The link cannot be refused once the device is in; undo the plug all the same, never half of it.
      await unplugNic(guest.qmp, nic.slot, 10_000).catch(() => undefined);
      await launcher.removeTap(id, nic.slot);
      throw err;
    }
  },
  async unplug(id, guest, slot) {
    await unplugNic(guest.qmp, slot);
    await launcher.removeTap(id, slot);
  },
  async setLink(guest, slot, up) {
    await guest.qmp.execute('set_link', { name: nicIds(slot).device, up });
  },
});
