import fs from 'node:fs/promises';
import { imageInfo, QemuImgError, type ImageInfo } from '@virtweb/qemu';
import type { BackingImage } from '@virtweb/protocol';
import path from 'node:path';
import { isInsideStore, storeNameOf } from './image-paths.ts';

/** qemu-img info must answer in this time; a file that blocks (a FIFO as backing file) must not hang a request. */
const INFO_TIMEOUT_MS = 15_000;

/** What the store knows about one image file, before the users and running operations are added. */
export interface InspectedImage {
  name: string;
  /** qemu-img's format, refined for raw files ("iso", "kernel", "initrd"). */
  format: string;
  /** qemu-img's own format name, for `-f` (never let qemu-img probe). */
  qemuFormat: string;
  virtualSize: number;
  actualSize: number;
  backingFile?: string;
  backingChain: BackingImage[];
  /** Why the image must not be converted, resized or used as a backing image. */
  problem?: string;
}

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

/**
 * `qemu-img info` of an image and, when it has one, of its backing chain (`--backing-chain -U`). The first
 * backing file is checked to resolve (realpath) inside the images dir before qemu-img is asked to open the
 * chain, and every file of the chain after; a file outside, a missing or unreadable one, becomes `problem`.
 *
 * @throws QemuImgError when qemu-img cannot read the image itself.
 */
export async function inspectImage(
  imagesDir: string,
  name: string,
  file: string,
  qemuImg: string,
  /** False for a file the server itself wrote under a temp name (an upload being checked). */
  checkFile = true,
): Promise<InspectedImage> {
  const run = { binary: qemuImg, timeoutMs: INFO_TIMEOUT_MS };
  const head = await imageInfo(file, run);
  const image: InspectedImage = {
    name,
    format: head.format === 'raw' ? await refineRawFormat(file) : head.format,
    qemuFormat: head.format,
    virtualSize: head.virtualSize,
    actualSize: head.actualSize ?? 0,
    ...(head.backingFilename === undefined ? {} : { backingFile: head.backingFilename }),
    backingChain: [],
  };
  if (checkFile && (await storeNameOf(imagesDir, file)) === null) {
    return { ...image, problem: 'the file is a link to a place outside the images directory' };
  }
  const outsideFile = await firstOutside(imagesDir, file, head);
  if (outsideFile !== undefined)
    return { ...image, problem: `data file ${outsideFile} is outside the images directory` };
  if (head.backingFilename === undefined) return image;
  const first = head.fullBackingFilename ?? head.backingFilename;
  if ((await storeNameOf(imagesDir, first)) === null) {
    return { ...image, problem: `backing file ${first} is missing or outside the images directory` };
  }
  let chain: ImageInfo[];
  try {
    chain = await imageInfo(file, { ...run, backingChain: true });
  } catch (err) {
    const why = err instanceof QemuImgError && err.stderr !== '' ? err.stderr : (err as Error).message;
    return { ...image, problem: `backing chain unreadable: ${why}` };
  }
  for (const [i, info] of chain.slice(1).entries()) {
    const inStoreAs = await storeNameOf(imagesDir, info.filename);
    image.backingChain.push({
      name: inStoreAs ?? info.filename,
      format: info.format,
      virtualSize: info.virtualSize,
      inStore: inStoreAs !== null,
    });
    if (inStoreAs === null)
      image.problem ??= `backing file ${info.filename} (level ${i + 1}) is outside the images directory`;
  }
  return image;
}

/**
 * Files an image reads besides itself and its backing file: the extents of a vmdk descriptor, the external
 * data file of a qcow2. Returns the first one that is not in the images dir (qemu would read it for a guest).
 */
async function firstOutside(imagesDir: string, file: string, info: ImageInfo): Promise<string | undefined> {
  const data = info.formatSpecific?.data ?? {};
  const files: string[] = [];
  if (typeof data.dataFile === 'string') files.push(data.dataFile);
  if (Array.isArray(data.extents)) {
    for (const e of data.extents as unknown[]) {
      const name = (e as { filename?: unknown } | null)?.filename;
      if (typeof name === 'string') files.push(name);
    }
  }
  for (const f of files) {
    if (!(await isInsideStore(imagesDir, path.resolve(path.dirname(file), f)))) return f;
  }
  return undefined;
}
