import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { link, lstat, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { QemuError, QemuImgError } from './errors.ts';

/** Where qemu-img lives (the default is found through PATH), and how long a call may take. */
export interface QemuImgOptions {
  binary?: string;
  /** qemu-img is killed (SIGTERM) after this many ms; the call then rejects. Default: no limit. */
  timeoutMs?: number;
  /** Aborting kills qemu-img; the call then rejects with a QemuImgError whose exitCode is null. */
  signal?: AbortSignal;
}

/** The image formats virtweb creates and converts to. */
export type ImageFormatName = 'qcow2' | 'raw' | 'vmdk' | 'vdi';

export interface CreateImageOptions {
  path: string;
  format: ImageFormatName;
  /** Virtual size in bytes; may be omitted for an overlay (then it is the backing file's size). */
  sizeBytes?: number;
  /** qcow2 only. A relative name is resolved against the new image's directory (qemu's rule). */
  backingFile?: string;
  /** Required with `backingFile`: qemu must not guess the backing format (a raw image can look like qcow2). */
  backingFormat?: string;
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

  const args = ['create', '-q', '-f', format];
  if (backingFile !== undefined && backingFormat !== undefined)
    args.push('-b', backingFile, '-F', backingFormat);
  await writeAtomically(path, async (temp) => {
    await runQemuImg([...args, temp, ...(sizeBytes === undefined ? [] : [String(sizeBytes)])], run);
  });
}

export interface ResizeImageOptions {
  path: string;
  /** The image's format as qemu-img info reported it: never let qemu-img probe (a raw disk can look like qcow2). */
  format: string;
  sizeBytes: number;
  /** Required to make an image smaller: qemu-img refuses to shrink without `--shrink`, data past the end is lost. */
  shrink?: boolean;
}

/**
 * `qemu-img resize` of an image no process has open (a running qemu holds a write lock: use QMP `block_resize`).
 *
 * @throws QemuImgError with qemu-img's text: shrink without `shrink: true`, a format that cannot resize
 *   (vmdk, vdi), an image locked by a running qemu, a size the format cannot hold.
 * @throws RangeError for a size that is not a positive integer.
 */
export async function resizeImage(opts: ResizeImageOptions, run: QemuImgOptions = {}): Promise<void> {
  if (!Number.isSafeInteger(opts.sizeBytes) || opts.sizeBytes <= 0) {
    throw new RangeError(`sizeBytes must be a positive integer, got ${opts.sizeBytes}`);
  }
  const args = ['resize', '-q', '-f', opts.format];
  if (opts.shrink === true) args.push('--shrink');
  await runQemuImg([...args, opts.path, String(opts.sizeBytes)], run);
}

export interface ConvertImageOptions {
  source: string;
  /** The source's format as qemu-img info reported it (no probing). */
  sourceFormat: string;
  target: string;
  targetFormat: ImageFormatName;
  /** Called with qemu-img's `-p` percentage (0..100) as it advances. */
  onProgress?: (percent: number) => void;
  /** Checks the complete output (at its hidden temp path) before it gets the target's name; a rejection
   * removes it and rejects the convert. */
  verify?: (temp: string) => Promise<void>;
}

/**
 * `qemu-img convert -p` into a new standalone image (the backing chain is read through, the source is only
 * read). Written like {@link createImage}: a hidden temp file linked to `target` when complete (and accepted
 * by `verify`), removed on every failure or abort.
 *
 * @throws ImageExistsError when `target` exists. @throws QemuImgError with qemu-img's text.
 */
export async function convertImage(opts: ConvertImageOptions, run: QemuImgOptions = {}): Promise<void> {
  if (await exists(opts.target)) throw new ImageExistsError(opts.target);
  const args = ['convert', '-p', '-f', opts.sourceFormat, '-O', opts.targetFormat, opts.source];
  let last = -1;
  const onStdout = (text: string) => {
    // qemu-img redraws "    (12.34/100%)" with \r; a chunk may hold several or half of one.
    for (const m of text.matchAll(PROGRESS)) {
      const pct = Number(m[1]);
      if (pct !== last) opts.onProgress?.((last = pct));
    }
  };
  await writeAtomically(opts.target, async (temp) => {
    await runQemuImg([...args, temp], run, onStdout);
    await opts.verify?.(temp);
  });
}

const PROGRESS = /\((\d+(?:\.\d+)?)\/100%\)/g;

/**
 * Lets `write` produce a hidden `.<name>.<random>.part` file in the same directory, then hard-links it to
 * `path` (link(2), unlike rename(2), fails with EEXIST instead of replacing a file that appeared meanwhile)
 * and removes the temp name on every outcome.
 */
async function writeAtomically(path: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.part`);
  try {
    await write(temp);
    await link(temp, path).catch((err: unknown) => {
      throw isErrno(err, 'EEXIST') ? new ImageExistsError(path) : err;
    });
  } finally {
    await rm(temp, { force: true });
  }
}

/** What {@link imageInfo} reads. */
export interface ImageInfoOptions extends QemuImgOptions {
  /** Also the whole backing chain below the image (`--backing-chain`). */
  backingChain?: boolean;
  /** Read the image as this format (`-f`), as qemu will be told to open it; default: qemu-img detects it. */
  format?: string;
}

/**
 * `qemu-img info` for one image, or for it and its whole backing chain (the image first). Without
 * `backingChain` qemu-img does not open the backing file.
 *
 * @throws QemuImgError when qemu-img fails (missing file, unreadable image, not of `format`) or prints
 *   unexpected JSON.
 */
export function imageInfo(
  path: string,
  opts?: { backingChain?: false } & ImageInfoOptions,
): Promise<ImageInfo>;
export function imageInfo(
  path: string,
  opts: { backingChain: true } & ImageInfoOptions,
): Promise<ImageInfo[]>;
export async function imageInfo(path: string, opts: ImageInfoOptions = {}): Promise<ImageInfo | ImageInfo[]> {
  // NOTE: -U (--force-share) skips the image lock, so info works while a running qemu holds the write lock.
  const args = ['info', '--output=json', '-U'];
  if (opts.format !== undefined) args.push('-f', opts.format);
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
function runQemuImg(
  args: string[],
  opts: QemuImgOptions,
  onStdout?: (text: string) => void,
): Promise<string> {
  const binary = opts.binary ?? 'qemu-img';
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.timeoutMs === undefined ? {} : { timeout: opts.timeoutMs }),
      ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => (onStdout ? onStdout(b.toString('latin1')) : out.push(b)));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (cause) => {
      const what =
        opts.signal?.aborted === true ? `qemu-img ${args[0] ?? ''} aborted` : `cannot run ${binary}`;
      reject(new QemuImgError(`${what}: ${cause.message}`, { args, exitCode: null, stderr: '' }, { cause }));
    });
    child.on('close', (exitCode, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').trim();
      if (exitCode === 0) {
        resolve(Buffer.concat(out).toString('utf8'));
        return;
      }
      const timedOut = signal !== null && opts.timeoutMs !== undefined && opts.signal?.aborted !== true;
      const why = timedOut
        ? `no answer within ${opts.timeoutMs ?? 0} ms`
        : stderr === ''
          ? `exit ${exitCode ?? signal ?? '?'}`
          : stderr.replaceAll('\n', ' ');
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
