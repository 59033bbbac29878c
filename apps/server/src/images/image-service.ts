import fs from 'node:fs/promises';
import { createImage, imageInfo, QemuImgError } from '@virtweb/qemu';
import { ErrorCode, type CreateImageRequestSchema, type Image } from '@virtweb/protocol';
import type { z } from 'zod';
import type { EventBus } from '../events/bus.ts';
import { conflict, HttpError, notFound } from '../http/errors.ts';
import { imagePath, isListedImageFile } from './image-paths.ts';

/** Which VMs use which image; supplied by the VM service so images can say `usedBy` and refuse deletes. */
export type ImageUsers = (imageName: string) => string[];

const ISO9660_MAGIC_OFFSET = 0x8001;

/** True when the file carries an ISO 9660 volume descriptor (qemu-img calls such files "raw"). */
async function isIso(file: string): Promise<boolean> {
  const fh = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(5);
    const { bytesRead } = await fh.read(buf, 0, 5, ISO9660_MAGIC_OFFSET);
    return bytesRead === 5 && buf.toString('latin1') === 'CD001';
  } finally {
    await fh.close();
  }
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
      await createImage({ path: file, format: req.format, sizeBytes: req.size, binary: this.qemuImg });
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
    const format = info.format === 'raw' && (await isIso(file)) ? 'iso' : info.format;
    return {
      name,
      format,
      virtualSize: info.virtualSize,
      actualSize: info.actualSize,
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
