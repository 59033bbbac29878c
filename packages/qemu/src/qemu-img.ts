import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { link, lstat, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { QemuError, QemuImgError } from './errors.ts';

/** Where qemu-img lives; the default is found through PATH. */
export interface QemuImgOptions {
  binary?: string;
}

export interface CreateImageOptions {
  path: string;
  format: 'qcow2' | 'raw';
  /** Virtual size in bytes; may be omitted for an overlay (then it is the backing file's size). */
  sizeBytes?: number;
  /** qcow2 only. A relative name is resolved against the new image's directory (qemu's rule). */
  backingFile?: string;
  /** Required with `backingFile`: qemu must not guess the backing format (a raw image can look like qcow2). */
  backingFormat?: 'qcow2' | 'raw';
}

/** What `qemu-img info --output=json` says about one image, in camelCase. */
export interface ImageInfo {
  filename: string;
  format: string;
  virtualSize: number;
  /** Bytes allocated on the host file system. */
  actualSize?: number;
  clusterSize?: number;
  /** As written in the image header (may be relative to the image's directory). */
  backingFilename?: string;
  /** The backing file's resolved path. */
  fullBackingFilename?: string;
  backingFilenameFormat?: string;
  /** qcow2's dirty flag (set while a writer has the image open with lazy refcounts). */
  dirty?: boolean;
  encrypted?: boolean;
  /** qcow2: the image is marked corrupt and can only be opened read-only. */
  corrupt?: boolean;
  /** Format-specific details, keys camelCased (qcow2: compat, compressionType, refcountBits, ...). */
  formatSpecific?: { type: string; data: Record<string, unknown> };
}

/** The target path of {@link createImage} exists already; nothing was written. */
export class ImageExistsError extends QemuError {
  override name = 'ImageExistsError';
  readonly code = 'EEXIST';
  readonly path: string;

  constructor(path: string) {
    super(`image already exists: ${path}`);
    this.path = path;
  }
}

/**
 * Creates a disk image, atomically for callers: qemu-img writes a hidden `.<name>.<random>.part` file in the
 * same directory, which is hard-linked to `path` only when complete (link fails instead of overwriting), so
 * `path` either does not exist or is a whole image. The temporary file is removed on every failure.
 *
 * @throws ImageExistsError when `path` already exists.
 * @throws QemuImgError when qemu-img cannot be run or fails (bad directory, missing backing file, bad size).
 * @throws RangeError when neither a size nor a backing file is given, or a backing file lacks its format.
 */
export async function createImage(opts: CreateImageOptions, run: QemuImgOptions = {}): Promise<void> {
  const { path, format, sizeBytes, backingFile, backingFormat } = opts;
  if (sizeBytes === undefined && backingFile === undefined) {
    throw new RangeError('createImage needs sizeBytes unless it creates an overlay (backingFile)');
  }
  if (sizeBytes !== undefined && (!Number.isSafeInteger(sizeBytes) || sizeBytes < 0)) {
    throw new RangeError(`sizeBytes must be a non-negative integer, got ${sizeBytes}`);
  }
  if (backingFile !== undefined && backingFormat === undefined) {
    throw new RangeError('backingFormat is required with backingFile');
  }
  if (await exists(path)) throw new ImageExistsError(path);

  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
  const args = ['create', '-q', '-f', format];
  if (backingFile !== undefined && backingFormat !== undefined)
    args.push('-b', backingFile, '-F', backingFormat);
  args.push(temp);
  if (sizeBytes !== undefined) args.push(String(sizeBytes));
  try {
    await runQemuImg(args, run);
    // NOTE: link(2), unlike rename(2), fails with EEXIST instead of replacing a file that appeared meanwhile.
    await link(temp, path).catch((err: unknown) => {
      throw isErrno(err, 'EEXIST') ? new ImageExistsError(path) : err;
    });
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * `qemu-img info` for one image, or for it and its whole backing chain (the image first).
 *
 * @throws QemuImgError when qemu-img fails (missing file, unreadable image) or prints unexpected JSON.
 */
export function imageInfo(path: string, opts?: { backingChain?: false } & QemuImgOptions): Promise<ImageInfo>;
export function imageInfo(path: string, opts: { backingChain: true } & QemuImgOptions): Promise<ImageInfo[]>;
export async function imageInfo(
  path: string,
  opts: { backingChain?: boolean } & QemuImgOptions = {},
): Promise<ImageInfo | ImageInfo[]> {
  // NOTE: -U (--force-share) skips the image lock, so info works while a running qemu holds the write lock.
  const args = ['info', '--output=json', '-U'];
  if (opts.backingChain === true) args.push('--backing-chain');
  args.push(path);
  const stdout = await runQemuImg(args, opts);
  try {
    const parsed: unknown = JSON.parse(stdout);
    return Array.isArray(parsed) ? parsed.map(toImageInfo) : toImageInfo(parsed);
  } catch (err) {
    throw new QemuImgError(
      `qemu-img info printed unexpected output for ${path}`,
      { args, exitCode: 0, stderr: '' },
      {
        cause: err,
      },
    );
  }
}

function toImageInfo(raw: unknown): ImageInfo {
  if (typeof raw !== 'object' || raw === null) throw new TypeError('image info is not an object');
  const r = raw as Record<string, unknown>;
  const str = (k: string) => (typeof r[k] === 'string' ? r[k] : undefined);
  const num = (k: string) => (typeof r[k] === 'number' ? r[k] : undefined);
  const bool = (k: string) => (typeof r[k] === 'boolean' ? r[k] : undefined);
  const filename = str('filename');
  const format = str('format');
  const virtualSize = num('virtual-size');
  if (filename === undefined || format === undefined || virtualSize === undefined) {
    throw new TypeError('image info lacks filename, format or virtual-size');
  }
  let formatSpecific: ImageInfo['formatSpecific'];
  const fs = r['format-specific'];
  if (typeof fs === 'object' && fs !== null) {
    const { type, data } = fs as { type?: unknown; data?: unknown };
    const d = typeof data === 'object' && data !== null ? camelKeys(data as Record<string, unknown>) : {};
    formatSpecific = { type: typeof type === 'string' ? type : 'unknown', data: d };
  }
  const corrupt = formatSpecific?.data.corrupt;
  return dropUndefined<ImageInfo>({
    filename,
    format,
    virtualSize,
    actualSize: num('actual-size'),
    clusterSize: num('cluster-size'),
    backingFilename: str('backing-filename'),
    fullBackingFilename: str('full-backing-filename'),
    backingFilenameFormat: str('backing-filename-format'),
    dirty: bool('dirty-flag'),
    encrypted: bool('encrypted'),
    corrupt: typeof corrupt === 'boolean' ? corrupt : undefined,
    formatSpecific,
  });
}

function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

function camelKeys(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [k.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()), v]),
  );
}

/** Runs qemu-img with an argv array (never a shell); resolves with stdout, rejects with its stderr. */
function runQemuImg(args: string[], opts: QemuImgOptions): Promise<string> {
  const binary = opts.binary ?? 'qemu-img';
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (cause) => {
      reject(
        new QemuImgError(
          `cannot run ${binary}: ${cause.message}`,
          { args, exitCode: null, stderr: '' },
          { cause },
        ),
      );
    });
    child.on('close', (exitCode, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (exitCode === 0) {
        resolve(Buffer.concat(out).toString('utf8'));
        return;
      }
      const why = stderr === '' ? `exit ${exitCode ?? signal ?? '?'}` : stderr.replaceAll('\n', ' ');
      reject(
        new QemuImgError(`qemu-img ${args[0] ?? ''} failed: ${why}`, { args, exitCode, signal, stderr }),
      );
    });
  });
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw err;
  }
}

function isErrno(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}
