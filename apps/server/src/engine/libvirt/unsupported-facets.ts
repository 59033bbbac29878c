// What the libvirt engine does not do to a running guest yet (later slices: libvirt's device and migration
// APIs): each operation answers 409 in plain words; queries answer "nothing".
import { ErrorCode } from '@virtweb/protocol';
import { Conflict } from '../../domain/errors.ts';
import type { GuestBlockOps } from '../guest-block.ts';
import type { GuestMigrationOps } from '../guest-migration.ts';
import type { GuestNicOps } from '../guest-nics.ts';
import type { GuestUsbOps } from '../guest-usb.ts';

const notYet = (what: string) => (): Promise<never> =>
  Promise.reject(
    new Conflict(
      ErrorCode.conflict,
      `${what} of a running libvirt guest is not supported yet: stop it first`,
    ),
  );

export const libvirtBlockOps: GuestBlockOps = {
  hotplugDisk: notYet('hot-plugging a disk'),
  unplugDisk: notYet('unplugging a disk'),
  resizeDisk: notYet('resizing a disk'),
  cdrom: () => Promise.resolve(undefined),
  changeMedium: notYet('changing the CD'),
  onTrayMoved: () => undefined,
  dismissStaleJobs: () => Promise.resolve(),
};

export const libvirtNicOps: GuestNicOps = {
  plug: notYet('hot-plugging a NIC'),
  unplug: notYet('unplugging a NIC'),
  setLink: notYet("changing a NIC's link"),
};

export const libvirtMigrationOps: GuestMigrationOps = {
  migrate: notYet('migrating'),
  prepareIncoming: notYet('receiving a migration'),
  exportDisks: notYet('exporting disks'),
  arrivePaused: notYet('receiving a migration'),
  finishIncoming: notYet('receiving a migration'),
  cancel: () => Promise.resolve(),
  resumeSource: () => Promise.resolve(undefined),
  save: notYet('saving the state'),
  restore: notYet('restoring a state'),
};

export const libvirtUsbOps: GuestUsbOps = {
  plug: notYet('plugging a USB device'),
  unplug: notYet('unplugging a USB device'),
};
