import { ErrorCode, IMAGE_BUSY } from '@virtweb/protocol';
import { isQemuImgError } from '@virtweb/qemu';
import { Conflict, Invalid } from '../../domain/errors.ts';
import type { ImageService } from '../../images/image-service.ts';
import { namesImage } from '../image-users.ts';
import type { StorageHost } from './storage-host.ts';

/** What the guest's block layer needs of an image that passed the checks. */
export interface UsableImage {
  path: string;
  /** qemu's format name, for `-f` / the blockdev driver. */
  qemuFormat: string;
  /** Its backing chain's files, which qemu opens read-only (qemu's user must be able to). */
  backing: string[];
}

/**
 * An image that may become a disk of VM `vmId`: it exists, no operation runs on it, no VM uses it (a disk is
 * written to: one owner only), it backs no other image, and qemu-img can read it.
 * @throws Invalid (unknown or unreadable image), Conflict `in_use` / `busy`.
 */
export async function imageForDisk(
  images: ImageService,
  host: StorageHost,
  vmId: string,
  image: string,
): Promise<UsableImage> {
  const usable = await readable(images, image);
  if (namesImage(host.definition(vmId), image)) {
    throw new Conflict(ErrorCode.inUse, `image ${image} is already attached to VM ${nameOf(host, vmId)}`);
  }
  // Without this VM: its own claim on the image (it is attaching it) counts among the users.
  const users = images.users(image).filter((u) => u !== vmId);
  if (users.length > 0) {
    throw new Conflict(
      ErrorCode.inUse,
      `image ${image} is used by VM ${users.map((u) => nameOf(host, u)).join(', ')}`,
    );
  }
  const dependents = await images.dependentsOf(image);
  if (dependents.length > 0) {
    throw new Conflict(
      ErrorCode.inUse,
      `image ${image} is the backing file of ${dependents.join(', ')}: writing to it would corrupt them`,
    );
  }
  return usable;
}

/**
 * An image that may go into a CD drive: a raw (ISO) image that no VM uses as a disk. CDs are read-only, so
 * several VMs may share one ISO.
 * @throws Invalid (unknown, unreadable or not raw), Conflict `in_use` / `busy`.
 */
export async function imageForCdrom(
  images: ImageService,
  host: StorageHost,
  image: string,
): Promise<UsableImage> {
  const usable = await readable(images, image);
  if (usable.qemuFormat !== 'raw') {
    throw new Invalid(`image: ${image} is a ${usable.qemuFormat} image, not a CD image (ISO)`, [
      { path: 'image', message: 'not a CD image' },
    ]);
  }
  const asDisk = host.list().filter((vm) => vm.disks.some((d) => d.image === image));
  if (asDisk.length > 0) {
    throw new Conflict(
      ErrorCode.inUse,
      `image ${image} is a disk of VM ${asDisk.map((v) => v.name).join(', ')}`,
    );
  }
  return usable;
}

async function readable(images: ImageService, image: string): Promise<UsableImage> {
  if (!(await images.exists(image))) {
    throw new Invalid(`image: no image named ${image}`, [{ path: 'image', message: 'no such image' }]);
  }
  const op = images.locks.operationOn(image);
  if (op !== undefined) throw new Conflict(IMAGE_BUSY, `image ${image} is busy: ${op} in progress`);
  try {
    const inspected = await images.inspect(image);
    if (inspected.problem !== undefined) {
      throw new Invalid(`image: ${image} cannot be used: ${inspected.problem}`, [
        { path: 'image', message: inspected.problem },
      ]);
    }
    return {
      path: images.path(image),
      qemuFormat: inspected.qemuFormat,
      backing: images.backingPathsOf(inspected),
    };
  } catch (err) {
    if (!isQemuImgError(err)) throw err;
    throw new Invalid(`image: qemu-img cannot read ${image}: ${err.stderr || err.message}`, [
      { path: 'image', message: 'unreadable image' },
    ]);
  }
}

function nameOf(host: StorageHost, vmId: string): string {
  try {
    return host.get(vmId).name;
  } catch {
    return vmId;
  }
}
