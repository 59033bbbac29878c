import { TRAY_LOCKED } from '@virtweb/protocol';
import { CDROM_IDS } from '@virtweb/qemu';
import { isQmpExecuteError, type QmpClient } from '@virtweb/qmp';
import { Conflict } from '../../domain/errors.ts';
import type { LiveCdrom } from '../guest-block.ts';

/** @throws QmpError */
export async function liveCdrom(qmp: QmpClient): Promise<LiveCdrom | undefined> {
  const block = (await qmp.execute('query-block')).find((b) => b.device === CDROM_IDS.drive);
  if (!block) return undefined;
  return { file: block.inserted?.file, trayOpen: block.tray_open === true, locked: block.locked };
}

/**
 * Inserts `path` (replacing what is in the drive) or, for null, ejects. qemu opens the tray, swaps the medium
 * and closes it again (DEVICE_TRAY_MOVED twice); an eject leaves the tray open. When the guest has locked the
 * tray qemu asks it to open and refuses, unless `force`.
 * @throws Conflict `tray_locked`; QmpExecuteError for other refusals.
 */
export async function changeLiveMedium(qmp: QmpClient, path: string | null, force: boolean): Promise<void> {
  try {
    if (path !== null) {
      await qmp.execute('blockdev-change-medium', {
        id: CDROM_IDS.device,
        filename: path,
        format: 'raw',
        force,
      });
    } else if ((await liveCdrom(qmp))?.file !== undefined) {
      await qmp.execute('eject', { id: CDROM_IDS.device, force });
    }
  } catch (err) {
    // qemu 7.2: "Device 'cd0' is locked and force was not specified, wait for tray to open and try again".
    if (isQmpExecuteError(err) && err.desc.includes('is locked')) {
      throw new Conflict(
        TRAY_LOCKED,
        `the guest has locked the CD tray (is the CD mounted?): unmount it in the guest, or force the change. ` +
          `qemu says: ${err.desc}`,
      );
    }
    throw err;
  }
}
