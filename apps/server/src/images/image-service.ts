import fs from 'node:fs/promises';
import { createImage, imageInfo, QemuImgError } from '@virtweb/qemu';
import { ErrorCode, type CreateImageRequestSchema, type Image } from '@virtweb/protocol';
import type { z } from 'zod';
import type { EventBus } from '../events/bus.ts';
import { conflict, HttpError, notFound } from '../http/errors.ts';
import { imagePath, isListedImageFile } from './image-paths.ts';

/** Which VMs use which image; supplied by the VM service so images can say `usedBy` and refuse deletes. */
export type ImageUsers = (imageName: string) => string[];

async function readAt(file: string, offset: number, length: number): Promise<Buffer> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * What a file qemu-img calls "raw" really is: an ISO 9660 CD image ("CD001" at 0x8001), a Linux kernel
 * (bzImage "HdrS" at 0x202) or an initramfs (gzip, zstd or cpio magic) for direct kernel boot, or a raw disk.
 */
export async function refineRawFormat(file: string): Promise<string> {
  if ((await readAt(file, 0x8001, 5)).toString('latin1') === 'CD001') return 'iso';
  if ((await readAt(file, 0x202, 4)).toString('latin1') === 'HdrS') return 'kernel';
  const head = (await readAt(file, 0, 6)).toString('hex');
  if (head.startsWith('1f8b') || head.startsWith('28b52ffd') || head === '303730373031') return 'initrd';
  return 'raw';
}

/** Disk images and ISOs in `<data>/images`, over qemu-img. */
export class ImageService {
  private usersOf: ImageUsers = () => [];

  constructor(
    private readonly imagesDir: string,
    private readonly qemuImg: string,
    private readonly bus: EventBus,
  ) {}

  setUsers(users: ImageUsers): void {
    this.usersOf = users;
  }

  async init(): Promise<void> {
    await fs.mkdir(this.imagesDir, { recursive: true });
  }

  async list(): Promise<Image[]> {
    const entries = await fs.readdir(this.imagesDir, { withFileTypes: true });
    const names = entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && isListedImageFile(e.name))
      .map((e) => e.name)
      .sort();
    const images = await Promise.all(names.map((n) => this.describe(n).catch(() => undefined)));
    return images.filter((i): i is Image => i !== undefined);
  }

  /** @throws HttpError 404 when there is no such image. */
  async get(name: string): Promise<Image> {
    const file = imagePath(this.imagesDir, name);
    if (!(await exists(file))) throw notFound(`image ${name}`);
    return this.describe(name);
  }

  /** The qemu format of an image ("qcow2", "raw", ...), used to build the guest's block devices. */
  async formatOf(name: string): Promise<string> {
    const info = await imageInfo(imagePath(this.imagesDir, name), { binary: this.qemuImg });
    return info.format;
  }

  async exists(name: string): Promise<boolean> {
    return exists(imagePath(this.imagesDir, name));
  }

  path(name: string): string {
    return imagePath(this.imagesDir, name);
  }

  /** @throws HttpError 409 when the name is taken, 500 with qemu-img's text when it fails. */
  async create(req: z.output<typeof CreateImageRequestSchema>): Promise<Image> {
    const file = imagePath(this.imagesDir, req.name);
    if (await exists(file)) throw conflict(ErrorCode.exists, `an image named ${req.name} already exists`);
    try {
      await createImage({ path: file, format: req.format, sizeBytes: req.size }, { binary: this.qemuImg });
    } catch (err) {
      if (err instanceof QemuImgError)
        throw new HttpError(500, ErrorCode.qemuFailed, `qemu-img failed: ${err.stderr}`);
      throw err;
    }
    this.bus.publish({ type: 'images.changed' });
    return this.describe(req.name);
  }

  /** @throws HttpError 404 unknown, 409 while a VM uses it. */
  async delete(name: string): Promise<void> {
    const file = imagePath(this.imagesDir, name);
    if (!(await exists(file))) throw notFound(`image ${name}`);
    const users = this.usersOf(name);
    if (users.length > 0) {
      throw conflict(
        ErrorCode.inUse,
        `image ${name} is used by VM ${users.join(', ')}; remove it from them first`,
      );
    }
    await fs.unlink(file);
    this.bus.publish({ type: 'images.changed' });
  }

  private async describe(name: string): Promise<Image> {
    const file = imagePath(this.imagesDir, name);
    const info = await imageInfo(file, { binary: this.qemuImg });
    const format = info.format === 'raw' ? await refineRawFormat(file) : info.format;
    return {
      name,
      format,
      virtualSize: info.virtualSize,
      actualSize: info.actualSize ?? 0,
      ...(info.backingFilename === undefined ? {} : { backingFile: info.backingFilename }),
      usedBy: this.usersOf(name),
    };
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}
