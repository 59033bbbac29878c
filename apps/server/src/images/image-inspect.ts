import fs from 'node:fs/promises';
import { imageInfo, type ImageInfo } from '@virtweb/qemu';
import type { BackingImage } from '@virtweb/protocol';
import path from 'node:path';
import { isInsideStore, namesProtocol, openedPath, storeNameOf } from './image-paths.ts';
import { qemuImgReason } from './qemu-img-errors.ts';

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

/** How an image is read. */
export interface InspectOptions {
  /**
   * The format qemu will be told (`-f`): one the server recorded from its own inspection. Without it
   * qemu-img detects the format, which is only right for an image nobody has opened as a disk yet (a guest
   * may have written an image header into its raw disk).
   */
  format?: string;
  /** False for a file the server itself wrote under a temp name (an upload or a convert being checked). */
  checkFile?: boolean;
}

/** Deeper chains are refused (qemu would open them, but no store of ours makes them). */
const MAX_CHAIN = 32;

/**
 * The formats a backing file may name: disk image formats. A header can name any qemu block driver, and some
 * are not files at all (`vvfat` serves a host directory, `nbd` a network disk).
 */
const IMAGE_FORMATS = new Set([
  'raw',
  'qcow2',
  'qcow',
  'qed',
  'vmdk',
  'vdi',
  'vpc',
  'vhdx',
  'luks',
  'parallels',
]);

/**
 * `qemu-img info` of an image read as `opts.format` (or detected), then of each backing file in turn, read as
 * qemu would (the format recorded in the image above it, else detected). Each backing file is checked to
 * resolve (realpath) inside the images dir before qemu-img opens it, and each level's other files (vmdk
 * extents, qcow2 data file) after: a file outside, a missing or unreadable one, a loop, becomes `problem`.
 *
 * @throws QemuImgError when qemu-img cannot read the image itself (or not as `opts.format`).
 */
export async function inspectImage(
  imagesDir: string,
  name: string,
  file: string,
  qemuImg: string,
  opts: InspectOptions = {},
): Promise<InspectedImage> {
  const run = { binary: qemuImg, timeoutMs: INFO_TIMEOUT_MS };
  const head = await imageInfo(file, {
    ...run,
    ...(opts.format === undefined ? {} : { format: opts.format }),
  });
  const image: InspectedImage = {
    name,
    format: head.format === 'raw' ? await refineRawFormat(file) : head.format,
    qemuFormat: head.format,
    virtualSize: head.virtualSize,
    actualSize: head.actualSize ?? 0,
    ...(head.backingFilename === undefined ? {} : { backingFile: head.backingFilename }),
    backingChain: [],
  };
  if (opts.checkFile !== false && (await storeNameOf(imagesDir, file)) === null) {
    return { ...image, problem: 'the file is a link to a place outside the images directory' };
  }
  const problem = await walkChain(imagesDir, file, head, run, image.backingChain);
  return problem === undefined ? image : { ...image, problem };
}

/** Follows the backing chain below `head` level by level into `chain`; returns the first problem. */
async function walkChain(
  imagesDir: string,
  file: string,
  head: ImageInfo,
  run: { binary: string; timeoutMs: number },
  chain: BackingImage[],
): Promise<string | undefined> {
  const seen = new Set([await fs.realpath(file).catch(() => file)]);
  let info = head;
  let at = file;
  let atName = '';
  for (let level = 1; ; level++) {
    const outsideFile = await firstOutside(imagesDir, at, info);
    if (outsideFile !== undefined) {
      const of = level === 1 ? '' : ` of backing file ${atName}`;
      return `data file ${outsideFile}${of} is outside the images directory`;
    }
    if (info.backingFilename === undefined) return undefined;
    const next = info.fullBackingFilename ?? openedPath(path.dirname(at), info.backingFilename);
    const inStoreAs = namesProtocol(next) ? null : await storeNameOf(imagesDir, next);
    if (inStoreAs === null) {
      const format = info.backingFilenameFormat ?? 'unknown';
      chain.push({ name: next, format, virtualSize: 0, inStore: false });
      return `backing file ${next} ${await whereOutside(next)}`;
    }
    const real = await fs.realpath(next).catch(() => next);
    if (seen.has(real)) return `the backing chain loops: ${inStoreAs} appears twice`;
    if (level > MAX_CHAIN) return `the backing chain is longer than ${MAX_CHAIN} images`;
    seen.add(real);
    const format = info.backingFilenameFormat;
    if (format !== undefined && !IMAGE_FORMATS.has(format)) {
      return `backing file ${inStoreAs} is to be read as ${format}, which is not a disk image format`;
    }
    try {
      info = await imageInfo(next, { ...run, ...(format === undefined ? {} : { format }) });
    } catch (err) {
      const why = qemuImgReason(err);
      return `backing file ${inStoreAs} is unreadable: ${why}`;
    }
    chain.push({ name: inStoreAs, format: info.format, virtualSize: info.virtualSize, inStore: true });
    at = next;
    atName = inStoreAs;
  }
}

/** Why a file that is not in the store is not: a protocol, elsewhere on the host, or nowhere. */
async function whereOutside(file: string): Promise<string> {
  if (namesProtocol(file)) return 'is not a file (qemu would read it as a protocol)';
  try {
    await fs.stat(file);
    return 'is outside the images directory';
  } catch {
    return 'is missing';
  }
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
    if (namesProtocol(f) || !(await isInsideStore(imagesDir, openedPath(path.dirname(file), f)))) return f;
  }
  return undefined;
}
