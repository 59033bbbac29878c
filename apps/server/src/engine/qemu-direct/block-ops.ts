import type { QemuAccess } from '../../host/qemu-access.ts';
import type { GuestBlockOps } from '../guest-block.ts';
import { JOB_ID_PREFIX } from '../guest-snapshots.ts';
import { changeLiveMedium, liveCdrom } from './live-cdrom.ts';
import { assertDirectIo } from './direct-io.ts';
import { hotplugDisk, unplugDisk } from './live-disks.ts';
import { dismissConcludedJobs } from '../qmp-jobs.ts';

/**
 * Disks and the CD of a qemu-direct guest, over its QMP connection; qemu's user is given each file just before
 * qemu opens it.
 */
export const qemuBlockOps = (access: Pick<QemuAccess, 'grant'>): GuestBlockOps => ({
  async hotplugDisk(guest, machine, index, image, disk) {
    await assertDirectIo(image.path, disk.cache, `disk ${index}`);
    await access.grant({ readWrite: [image.path], readOnly: [...image.backing] });
    await hotplugDisk(guest.qmp, machine, index, image, disk);
  },
  unplugDisk: (guest, index, bus) => unplugDisk(guest.qmp, index, bus),
  // NOTE: a disk grows on its format node: the node whose file is the image (`query-block` also finds
  // hot-plugged disks), else `disk<N>`, the name packages/qemu's argv gives the N-th disk.
  async resizeDisk(guest, index, imagePath, bytes) {
    const blocks = await guest.qmp.execute('query-block');
    const found = blocks.find((b) => !b.removable && b.inserted?.file === imagePath)?.inserted?.['node-name'];
    await guest.qmp.execute('block_resize', { 'node-name': found ?? `disk${index}`, size: bytes });
  },
  cdrom: (guest) => liveCdrom(guest.qmp),
  async changeMedium(guest, path, force) {
    if (path !== null) await access.grant({ readOnly: [path] });
    await changeLiveMedium(guest.qmp, path, force);
  },
  onTrayMoved: (guest, listener) => guest.qmp.on('DEVICE_TRAY_MOVED', listener),
  dismissStaleJobs: (guest) => dismissConcludedJobs(guest.qmp, JOB_ID_PREFIX),
});
