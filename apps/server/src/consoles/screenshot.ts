import crypto from 'node:crypto';
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, type Vm } from '@virtweb/protocol';
import { Conflict } from '../domain/errors.ts';
import type { RunningGuest } from '../engine/engine.ts';
import type { QemuAccess } from '../host/qemu-access.ts';
import type { VmService } from '../vms/vm-service.ts';
import { encodePng } from './png.ts';
import { parsePpm } from './ppm.ts';
import { qmpFailure } from './qmp-failure.ts';

/** A guest's screen as PNG. */
export interface Screenshot {
  png: Buffer;
  width: number;
  height: number;
}

const SCREENDUMP_TIMEOUT_MS = 10_000;

/**
 * The screen of guest `id` now, with the guest it is of.
 * @throws NotFound, Conflict `wrong_state` (no qemu, so no screen; or it went away meanwhile), Conflict
 *   `qemu_failed` (qemu refused the screendump)
 */
export async function guestScreenshot(vms: VmService, id: string): Promise<{ vm: Vm; shot: Screenshot }> {
  const vm = vms.get(id);
  const rt = vms.runtime(vm.id);
  if (!rt) throw new Conflict(ErrorCode.wrongState, `VM ${vm.name} is ${vm.state}; it has no screen`);
  const shot = await takeScreenshot(rt.guest, rt.engine.runDir(vm.id), vms.qemuAccess).catch(
    (err: unknown) => {
      throw qmpFailure(err, vm);
    },
  );
  return { vm, shot };
}

/**
 * Takes a screenshot of the guest's display: QMP `screendump` to a temp file in the guest's run dir, read back
 * and converted to PNG here. The temp file is removed whatever happens.
 * NOTE: we always ask for PPM, which every qemu writes; `format: 'png'` exists only since qemu 7.1 and only
 * when qemu was built with libpng, so relying on it would tie screenshots to the qemu build.
 * @throws QmpError when qemu refuses or goes away; PpmError for a file we cannot read.
 */
export async function takeScreenshot(
  guest: RunningGuest,
  runDir: string,
  access: Pick<QemuAccess, 'grant'>,
): Promise<Screenshot> {
  // qemu writes the file itself: it must be a path qemu can write to, i.e. inside the run dir it owns.
  const file = path.join(runDir, `screendump-${crypto.randomBytes(6).toString('hex')}.ppm`);
  try {
    // The way to its run dir (a chmod of the data dir since qemu started may have taken it).
    await access.grant({ reach: [runDir] });
    await guest.qmp.execute('screendump', { filename: file }, { timeoutMs: SCREENDUMP_TIMEOUT_MS });
    // NOTE: qemu's user could have put a link there instead: read only the file itself.
    const img = parsePpm(await fs.readFile(file, { flag: constants.O_RDONLY | constants.O_NOFOLLOW }));
    return { png: await encodePng(img), width: img.width, height: img.height };
  } finally {
    await fs.rm(file, { force: true });
  }
}
