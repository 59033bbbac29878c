import fs from 'node:fs/promises';
import { createImage } from '@virtweb/qemu';
import {
  ErrorCode,
  formatBytes,
  type ConvertImageRequestSchema,
  type CreateImageRequestSchema,
  type Image,
  type LeftBehind,
  type ResizeImageRequestSchema,
  type UploadedImage,
} from '@virtweb/protocol';
import type { z } from 'zod';
import type { EventBus } from '../events/bus.ts';
import { Conflict, Invalid, NotFound } from '../domain/errors.ts';
import { convertImageOp, resizeImageOp } from './image-ops.ts';
import { inspectImage, type InspectedImage } from './image-inspect.ts';
import { ImageLocks } from './image-locks.ts';
import type { ImageStore } from './image-store.ts';
import { imagePath, isListedImageFile, removeLeftoverParts } from './image-paths.ts';
import type { ImageUsers, RunningUse, RunningUsers } from './image-users.ts';
import { uploadImageOp, type UploadSource } from './image-upload.ts';
import { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './limits.ts';
import { OldCopies } from './old-copies.ts';
import { fromQemuImg, qemuImgReason } from './qemu-img-errors.ts';
import { loadStoreId } from './store-id.ts';

export { refineRawFormat } from './image-inspect.ts';

/** Disk images and ISOs in `<data>/images`, over qemu-img; one operation per image at a time. */
export class ImageService implements ImageStore {
  readonly locks = new ImageLocks();
  /** Images a move left behind (marks in the images dir). */
  readonly oldCopies: OldCopies;
  private imageUsers: ImageUsers = { of: () => [], nameOf: (id) => id };
  #storeId: string | undefined;
  private runningUsers: RunningUsers = () => [];

  constructor(
    readonly imagesDir: string,
    readonly qemuImg: string,
    readonly bus: EventBus,
    readonly limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
  ) {
    this.oldCopies = new OldCopies(imagesDir);
  }

  /** The identity of this image store (`store-id.ts`); known after `init()`. */
  get storeId(): string {
    if (this.#storeId === undefined) throw new Error('the image store is not initialised');
    return this.#storeId;
  }

  setUsers(users: ImageUsers): void {
    this.imageUsers = users;
  }

  /** Lets online resize reach the guests that have an image open (wired in main.ts from the VM service). */
  setRunningUsers(users: RunningUsers): void {
    this.runningUsers = users;
  }

  /**
   * Creates the images dir, removes the `.part` files an interrupted server left behind, and reads (or makes)
   * the store id.
   */
  async init(): Promise<void> {
    await fs.mkdir(this.imagesDir, { recursive: true });
    await removeLeftoverParts(this.imagesDir);
    this.#storeId = await loadStoreId(this.imagesDir);
  }

  async list(): Promise<Image[]> {
    const [inspected, marks] = await Promise.all([this.inspectAll(), this.oldCopies.all()]);
    return inspected.map((i) => withMark(this.toImage(i), marks.get(i.name)));
  }

  /** @throws NotFound when there is no such image. */
  async get(name: string): Promise<Image> {
    await this.mustExist(name);
    const inspected = await this.inspect(name).catch((err: unknown) => unreadable(name, err));
    return withMark(this.toImage(inspected), await this.oldCopies.get(name));
  }

  /**
   * The qemu format of an image ("qcow2", "raw", ...) as qemu-img detects it, to be recorded for a disk
   * nobody has opened yet.
   * @throws Conflict for an image that reads files outside the images dir (backing, extent, data file).
   */
  async formatOf(name: string): Promise<string> {
    return (await this.forQemu(name)).qemuFormat;
  }

  /**
   * An image that qemu is about to open, inspected at this moment: read as `format` (the one qemu will be
   * told, recorded by the server; detected when there is none), the file and its whole chain (backing files,
   * vmdk extents, data files) resolving inside the images dir.
   * @throws Conflict for a missing, unreadable or unsafe image, in plain words.
   */
  async forQemu(
    name: string,
    format?: string,
  ): Promise<{ path: string; qemuFormat: string; virtualSize: number }> {
    const file = imagePath(this.imagesDir, name);
    if (!(await exists(file))) throw new Conflict(ErrorCode.conflict, `image ${name} does not exist`);
    const image = await this.inspect(name, format === undefined ? {} : { format }).catch((err: unknown) => {
      const why = qemuImgReason(err);
      const as = format === undefined ? '' : ` as ${format}`;
      throw new Conflict(ErrorCode.conflict, `qemu-img cannot read image ${name}${as}: ${why}`);
    });
    if (image.problem !== undefined)
      throw new Conflict(ErrorCode.conflict, `image ${name}: ${image.problem}`);
    return { path: file, qemuFormat: image.qemuFormat, virtualSize: image.virtualSize };
  }

  /** The files of an image's backing chain (all in the store: others are refused), which qemu opens read-only. */
  async backingPaths(name: string): Promise<string[]> {
    return this.backingPathsOf(await this.inspect(name));
  }

  backingPathsOf(image: InspectedImage): string[] {
    return image.backingChain.filter((b) => b.inStore).map((b) => imagePath(this.imagesDir, b.name));
  }

  async exists(name: string): Promise<boolean> {
    return exists(imagePath(this.imagesDir, name));
  }

  path(name: string): string {
    return imagePath(this.imagesDir, name);
  }

  /**
   * An empty image, or a qcow2 overlay on `backingImage` (stored with a relative backing name and its format:
   * `backingFormat`, a VM's recorded format, or as detected).
   * @throws Invalid (bad size, unusable backing image, qemu-img refusal), Conflict (name taken or busy).
   */
  async create(req: z.output<typeof CreateImageRequestSchema>, backingFormat?: string): Promise<Image> {
    const file = imagePath(this.imagesDir, req.name);
    if (req.backingImage !== undefined) imagePath(this.imagesDir, req.backingImage);
    if (await exists(file)) throw new Conflict(ErrorCode.exists, `an image named ${req.name} already exists`);
    if (req.size !== undefined) this.checkSize(req.size);
    // The backing image is held too: it must not be resized or deleted under the new overlay.
    const held = req.backingImage === undefined ? [req.name] : [req.name, req.backingImage];
    await this.locks.with(held, 'create', async () => {
      let backing: { backingFile: string; backingFormat: string } | undefined;
      const baseName = req.backingImage;
      if (baseName !== undefined) {
        if (!(await this.exists(baseName))) {
          throw new Invalid(`backingImage: no image named ${baseName}`, [
            { path: 'backingImage', message: 'no such image' },
          ]);
        }
        const as = backingFormat === undefined ? {} : { format: backingFormat };
        const base = await this.inspect(baseName, as).catch((err: unknown) => {
          throw fromQemuImg(err, `reading backingImage ${baseName}`);
        });
        if (base.problem !== undefined) throw new Invalid(`backingImage ${base.name}: ${base.problem}`);
        backing = { backingFile: base.name, backingFormat: base.qemuFormat };
      }
      const size = req.size === undefined ? {} : { sizeBytes: req.size };
      await createImage(
        { path: file, format: req.format, ...size, ...backing },
        { binary: this.qemuImg },
      ).catch((err: unknown) => {
        throw fromQemuImg(err, `creating ${req.name}`);
      });
    });
    await this.oldCopies.forget(req.name);
    this.changed();
    return this.get(req.name);
  }

  /** @throws NotFound unknown, Conflict while a VM uses it, an operation runs on it, or it backs another image. */
  async delete(name: string): Promise<void> {
    const file = await this.mustExist(name);
    await this.locks.with([name], 'delete', async () => {
      const users = this.userNames(name);
      if (users.length > 0) {
        throw new Conflict(
          ErrorCode.inUse,
          `image ${name} is used by VM ${users.join(', ')}; remove it from them first`,
        );
      }
      const dependents = await this.dependentsOf(name);
      if (dependents.length > 0) {
        throw new Conflict(ErrorCode.inUse, `image ${name} is the backing file of ${dependents.join(', ')}`);
      }
      await fs.unlink(file);
      await this.oldCopies.forget(name);
    });
    this.changed();
  }

  /**
   * Deletes an image only while it is marked as an old copy a move left behind (a copying move back replaces
   * it). @throws NotFound unknown, Conflict not an old copy, in use or backing another image
   */
  async deleteOldCopy(name: string): Promise<void> {
    await this.mustExist(name);
    if ((await this.oldCopies.get(name)) === undefined) {
      throw new Conflict(ErrorCode.conflict, `image ${name} is not an old copy left by a move: it stays`);
    }
    await this.delete(name);
  }

  /** Grows (offline, or online through QMP for a running guest) or, confirmed, shrinks an image. */
  async resize(name: string, req: z.output<typeof ResizeImageRequestSchema>): Promise<Image> {
    await this.mustExist(name);
    return resizeImageOp(this, name, req);
  }

  /**
   * Converts into a new image `target`; completes when qemu-img is done (progress on the events socket).
   * `sourceFormat`: read the source as this (a VM's recorded format), not as detected.
   */
  async convert(
    name: string,
    req: z.output<typeof ConvertImageRequestSchema>,
    sourceFormat?: string,
  ): Promise<Image> {
    await this.mustExist(name);
    const image = await convertImageOp(this, name, req, sourceFormat);
    await this.oldCopies.forget(req.target);
    return image;
  }

  /** Streams an upload to a hidden `.part` file, renamed when complete (a new file: no old copy's mark). */
  async upload(name: string, source: UploadSource): Promise<UploadedImage> {
    const image = await uploadImageOp(this, name, source);
    await this.oldCopies.forget(name);
    return image;
  }

  // ---- for the operations (image-ops.ts, image-upload.ts): the ImageStore they see ----

  /**
   * What the image is, read as `format` (else detected by qemu-img), with its chain checked. `tempFile`: the
   * file of an upload or convert output not yet linked to `name`.
   * @throws QemuImgError when qemu-img cannot read the image.
   */
  inspect(name: string, opts: { tempFile?: string; format?: string } = {}): Promise<InspectedImage> {
    const file = opts.tempFile ?? imagePath(this.imagesDir, name);
    return inspectImage(this.imagesDir, name, file, this.qemuImg, {
      checkFile: opts.tempFile === undefined,
      ...(opts.format === undefined ? {} : { format: opts.format }),
    });
  }

  toImage(i: InspectedImage): Image {
    const { qemuFormat: _q, ...image } = i;
    const operation = this.locks.operationOn(i.name);
    return { ...image, usedBy: this.users(i.name), ...(operation === undefined ? {} : { operation }) };
  }

  users(name: string): string[] {
    return this.imageUsers.of(name);
  }

  userNames(name: string): string[] {
    return this.users(name).map((id) => this.imageUsers.nameOf(id));
  }

  running(name: string): RunningUse[] {
    return this.runningUsers(name, imagePath(this.imagesDir, name));
  }

  /** Images in the store whose backing chain contains `name`. */
  async dependentsOf(name: string): Promise<string[]> {
    const all = await this.inspectAll();
    return all.filter((i) => i.backingChain.some((b) => b.inStore && b.name === name)).map((i) => i.name);
  }

  /** @throws Invalid for a virtual size above the configured maximum. */
  checkSize(bytes: number): void {
    if (bytes > this.limits.maxImageBytes) {
      throw new Invalid(`size: at most ${formatBytes(this.limits.maxImageBytes)} on this server`, [
        { path: 'size', message: `at most ${formatBytes(this.limits.maxImageBytes)}` },
      ]);
    }
  }

  changed(): void {
    this.bus.publish({ type: 'images.changed' });
  }

  private async inspectAll(): Promise<InspectedImage[]> {
    const entries = await fs.readdir(this.imagesDir, { withFileTypes: true });
    const names = entries
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && isListedImageFile(e.name))
      .map((e) => e.name)
      .sort();
    return Promise.all(names.map((n) => this.inspect(n).catch((err: unknown) => unreadable(n, err))));
  }

  private async mustExist(name: string): Promise<string> {
    const file = imagePath(this.imagesDir, name);
    if (!(await exists(file))) throw new NotFound(`image ${name}`);
    return file;
  }
}

function withMark(image: Image, mark: LeftBehind | undefined): Image {
  return mark === undefined ? image : { ...image, leftBehind: mark };
}

/** An image qemu-img cannot read is still listed (so it can be deleted), with qemu-img's reason. */
function unreadable(name: string, err: unknown): InspectedImage {
  const why = err instanceof Error ? err.message : 'unknown error';
  return {
    name,
    format: 'unknown',
    qemuFormat: 'raw',
    virtualSize: 0,
    actualSize: 0,
    backingChain: [],
    problem: why,
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}
