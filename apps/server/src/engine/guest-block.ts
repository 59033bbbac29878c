import type { DiskBus, DiskOptions } from '@virtweb/protocol';
import type { RunningGuest } from './running-guest.ts';

/** The CD drive of a running guest as its engine sees it now. */
export interface LiveCdrom {
  /** The medium's file; undefined when the drive is empty. */
  file: string | undefined;
  trayOpen: boolean;
  /** The guest locked the tray (Linux does while the CD is mounted). */
  locked: boolean;
}

/** An image checked for a running guest: the path and format the engine opens it with. */
export interface GuestImage {
  path: string;
  qemuFormat: string;
  /** The files under it (a qcow2's backing chain), opened read-only. */
  backing: readonly string[];
}

/**
 * Disks and the CD of a running guest. A disk is known by its slot (`index`), the same before and after a
 * restart; what the engine calls its devices and nodes stays inside the engine.
 */
export interface GuestBlockOps {
  /**
   * Plugs `image` in as disk slot `index` on `disk.bus` (one that takes hot-plug: virtio, scsi, usb) with its
   * options. @throws the engine's refusal (lock held by another process, bad format, slot taken), Conflict for
   * a cache mode the image's file system cannot do
   */
  hotplugDisk(
    guest: RunningGuest,
    machine: 'q35' | 'pc',
    index: number,
    image: GuestImage,
    disk: { bus: DiskBus } & DiskOptions,
  ): Promise<void>;
  /** Waits for the guest to let go of the disk. @throws UnplugTimeoutError, the engine's refusal */
  unplugDisk(guest: RunningGuest, index: number, bus: DiskBus): Promise<void>;
  /** Grows disk slot `index` (whose file is `imagePath`) while the guest runs. */
  resizeDisk(guest: RunningGuest, index: number, imagePath: string, bytes: number): Promise<void>;
  cdrom(guest: RunningGuest): Promise<LiveCdrom | undefined>;
  /** Inserts `path` (raw), or ejects for null. @throws Conflict `tray_locked` unless `force` */
  changeMedium(guest: RunningGuest, path: string | null, force: boolean): Promise<void>;
  /** Calls `listener` whenever the guest or the user moves the CD tray. */
  onTrayMoved(guest: RunningGuest, listener: () => void): void;
  /** Clears block jobs of an earlier server left concluded inside the guest's process. */
  dismissStaleJobs(guest: RunningGuest): Promise<void>;
}
