import crypto from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { QemuProcess } from '@virtweb/qemu';
import type { QemuAccess } from '../host/qemu-access.ts';
import { encodePng } from './png.ts';
import { parsePpm } from './ppm.ts';

/** A guest's screen as PNG. */
export interface Screenshot {
  png: Buffer;
  width: number;
  height: number;
}

const SCREENDUMP_TIMEOUT_MS = 10_000;

/**
 * Takes a screenshot of the guest's display: QMP `screendump` to a temp file in the guest's run dir, read back
 * and converted to PNG here. The temp file is removed whatever happens.
 * NOTE: we always ask for PPM, which every qemu writes; `format: 'png'` exists only since qemu 7.1 and only
 * when qemu was built with libpng, so relying on it would tie screenshots to the qemu build.
 * @throws QmpError when qemu refuses or goes away; PpmError for a file we cannot read.
 */
export async function takeScreenshot(
  proc: QemuProcess,
  access: Pick<QemuAccess, 'grant'>,
): Promise<Screenshot> {
  // qemu writes the file itself: it must be a path qemu can write to, i.e. inside the run dir it owns.
  const file = path.join(proc.paths.dir, `screendump-${crypto.randomBytes(6).toString('hex')}.ppm`);
  try {
    // The way to its run dir (a chmod of the data dir since qemu started may have taken it).
    await access.grant({ reach: [proc.paths.dir] });
    await proc.qmp.execute('screendump', { filename: file }, { timeoutMs: SCREENDUMP_TIMEOUT_MS });
    // NOTE: qemu's user could have put a link there instead: read only the file itself.
    const img = parsePpm(await fs.readFile(file, { flag: constants.O_RDONLY | constants.O_NOFOLLOW }));
    return { png: await encodePng(img), width: img.width, height: img.height };
  } finally {
    await fs.rm(file, { force: true });
  }
}
