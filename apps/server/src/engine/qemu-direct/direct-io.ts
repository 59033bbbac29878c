import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ErrorCode } from '@virtweb/protocol';
import { cacheNeedsDirectIo, type DiskCache } from '@virtweb/qemu';
import { Conflict } from '../../domain/errors.ts';

/**
 * Refuses a disk whose cache mode needs O_DIRECT (`none`, `directsync`) when the image's file system does not
 * offer it. NOTE: qemu opens such an image with O_DIRECT and fails with a bare "Invalid argument" on file
 * systems without it (tmpfs before Linux 6.6, some FUSE and network mounts); this says what to change instead.
 * @throws Conflict `validation_failed` naming the disk and the directory
 */
export async function assertDirectIo(
  path: string,
  cache: DiskCache | undefined,
  what: string,
): Promise<void> {
  if (!cacheNeedsDirectIo(cache)) return;
  try {
    const file = await open(path, constants.O_RDONLY | constants.O_DIRECT);
    await file.close();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') return; // any other problem is qemu's to report
    throw new Conflict(
      ErrorCode.validation,
      `${what}: cache ${cache ?? ''} needs O_DIRECT, which the file system of ${dirname(path)} does not offer (tmpfs before Linux 6.6 does not): choose writeback or writethrough`,
    );
  }
}
