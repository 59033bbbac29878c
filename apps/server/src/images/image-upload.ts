import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode, formatBytes, type UploadedImage } from '@virtweb/protocol';
import { Conflict, Invalid, NoSpace, TooLarge } from '../domain/errors.ts';
import { uploadTempPath } from './image-paths.ts';
import type { ImageStore } from './image-store.ts';
import { ProgressReporter } from './progress.ts';
import { qemuImgReason } from './qemu-img-errors.ts';

/** The body of `PUT /api/images/:name/upload`: streamed, never buffered whole. */
export interface UploadSource {
  body: Readable;
  /** How many bytes the body has, said before it is sent (the Content-Length header). */
  length: number;
}

/**
 * Receives an upload: checks name, length, limits and free space before a byte is written, then streams the
 * body to a hidden `.part` file while hashing it (sha256) and publishing `image.progress`, and links it to the
 * image name only when exactly Content-Length bytes arrived and qemu-img reads it and finds nothing unsafe in
 * it. Any failure (client gone, short body, unreadable image, unsafe backing file, disk full) removes the
 * `.part` file, and the image name is never made.
 *
 * @throws Invalid (name, short body, unreadable or unsafe image), Conflict (exists or busy), TooLarge (over
 *   the upload limit), NoSpace (less free space than the length and the reserve).
 */
export async function uploadImageOp(
  svc: ImageStore,
  name: string,
  src: UploadSource,
): Promise<UploadedImage> {
  const file = svc.path(name);
  const length = src.length;
  if (length > svc.limits.maxUploadBytes) {
    const max = formatBytes(svc.limits.maxUploadBytes);
    throw new TooLarge(ErrorCode.tooLarge, `${formatBytes(length)} is more than the upload limit of ${max}`);
  }
  if (await svc.exists(name)) throw new Conflict(ErrorCode.exists, `an image named ${name} already exists`);
  const stat = await fsp.statfs(svc.imagesDir);
  const free = stat.bavail * stat.bsize - svc.limits.reserveBytes;
  if (length > free) {
    throw new NoSpace(
      ErrorCode.tooLarge,
      `not enough free space for ${formatBytes(length)} (${formatBytes(Math.max(free, 0))} free)`,
    );
  }
  const release = svc.locks.acquire([name], 'upload');
  const temp = uploadTempPath(svc.imagesDir, name);
  try {
    const progress = new ProgressReporter(svc.bus, { name, op: 'upload', total: length });
    progress.report(0, true);
    const { bytes, sha256 } = await receive(src.body, temp, length, progress);
    if (bytes !== length) throw new Invalid(`upload incomplete: ${bytes} of ${length} bytes arrived`);
    const inspected = await svc.inspect(name, { tempFile: temp }).catch((err: unknown) => {
      const why = qemuImgReason(err);
      throw new Invalid(`${name} refused: qemu-img cannot read it: ${why}`);
    });
    if (inspected.problem !== undefined) throw new Invalid(`${name} refused: ${inspected.problem}`);
    await fsp.link(temp, file).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new Conflict(ErrorCode.exists, `an image named ${name} already exists`);
      }
      throw err;
    });
    progress.finish();
    release();
    svc.changed();
    // What was inspected is what now has the name (a hard link): nothing can fail after the link.
    return { ...svc.toImage(inspected), sha256 };
  } finally {
    release();
    await fsp.rm(temp, { force: true });
  }
}

/** Streams `body` into a new file (never replacing one), hashing and counting; fsyncs before resolving. */
async function receive(
  body: Readable,
  temp: string,
  length: number,
  progress: ProgressReporter,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > length) {
        done(new Invalid(`the body is longer than its Content-Length (${length})`));
        return;
      }
      hash.update(chunk);
      progress.report(bytes);
      done(null, chunk);
    },
  });
  const out = fs.createWriteStream(temp, { flags: 'wx', mode: 0o644 });
  await pipeline(body, meter, out).catch((err: unknown) => {
    // The browser learns how far a broken-off upload got, even when it broke off inside one throttle interval.
    progress.report(bytes, true);
    throw err;
  });
  const fh = await fsp.open(temp, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { bytes, sha256: hash.digest('hex') };
}
