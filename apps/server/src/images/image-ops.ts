import { convertImage, resizeImage } from '@virtweb/qemu';
import {
  ErrorCode,
  formatBytes,
  type ConvertImageRequestSchema,
  type Image,
  type ResizeImageRequestSchema,
} from '@virtweb/protocol';
import type { z } from 'zod';
import { Conflict, Invalid } from '../domain/errors.ts';
import type { InspectedImage } from './image-inspect.ts';
import type { ImageStore } from './image-store.ts';
import { ProgressReporter } from './progress.ts';
import { fromQemuImg, qemuImgReason } from './qemu-img-errors.ts';

/** Raw files that are not disks: resizing them makes no sense and would break them. */
const NOT_DISKS = new Set(['iso', 'kernel', 'initrd']);

function usable(img: InspectedImage, what: string): void {
  if (img.problem !== undefined)
    throw new Conflict(ErrorCode.conflict, `cannot ${what} ${img.name}: ${img.problem}`);
}

/**
 * Resize under the image's lock. Shrinking needs `shrink: true` (Invalid otherwise) and is refused (Conflict) while a
 * VM uses the image or it backs another image. Growing an image a running guest has open goes through QMP
 * `block_resize` (the guest sees the new size at once); a disk of a VM that is starting or migrating is refused
 * (Conflict `in_use`); anything else goes through `qemu-img resize`.
 */
export function resizeImageOp(
  svc: ImageStore,
  name: string,
  req: z.output<typeof ResizeImageRequestSchema>,
): Promise<Image> {
  return svc.locks.with([name], 'resize', async () => {
    const img = await svc.inspect(name);
    usable(img, 'resize');
    if (NOT_DISKS.has(img.format)) throw new Invalid(`${name} is an ${img.format} file, not a disk image`);
    svc.checkSize(req.size);
    if (req.size === img.virtualSize) return svc.toImage(img);
    const shrinking = req.size < img.virtualSize;
    const from = formatBytes(img.virtualSize);
    const to = formatBytes(req.size);
    if (shrinking && req.shrink !== true) {
      throw new Invalid(
        `shrinking ${name} from ${from} to ${to} loses the data past ${to}: confirm with shrink`,
        [{ path: 'shrink', message: 'set shrink: true to confirm shrinking' }],
      );
    }
    if (shrinking) {
      const users = svc.userNames(name);
      if (users.length > 0) {
        throw new Conflict(
          ErrorCode.inUse,
          `image ${name} is used by VM ${users.join(', ')}: it cannot shrink`,
        );
      }
      const dependents = await svc.dependentsOf(name);
      if (dependents.length > 0) {
        throw new Conflict(ErrorCode.inUse, `image ${name} backs ${dependents.join(', ')}: it cannot shrink`);
      }
    }
    const running = svc.running(name);
    const cd = running.find((u) => u.kind === 'cdrom');
    if (cd) throw new Conflict(ErrorCode.inUse, `image ${name} is the CD of running VM ${cd.vmName}`);
    const opening = running.find((u) => u.kind === 'opening');
    if (opening?.kind === 'opening') {
      throw new Conflict(
        ErrorCode.inUse,
        `image ${name} is a disk of VM ${opening.vmName}, which is ${opening.state}: resize it once that is done`,
      );
    }
    const progress = new ProgressReporter(svc.bus, { name, op: 'resize', total: 1 });
    progress.report(0, true);
    if (running.length > 0) {
      for (const use of running) {
        if (use.kind !== 'disk') continue;
        await use.resize(req.size).catch((err: unknown) => {
          const why = err instanceof Error ? err.message : 'unknown error';
          throw new Conflict(ErrorCode.qemuFailed, `qemu of VM ${use.vmName} refused block_resize: ${why}`);
        });
      }
    } else {
      const opts = { path: svc.path(name), format: img.qemuFormat, sizeBytes: req.size, shrink: shrinking };
      await resizeImage(opts, { binary: svc.qemuImg }).catch((err: unknown) => {
        throw fromQemuImg(err, `resizing ${name}`);
      });
    }
    progress.finish();
    svc.changed();
    return svc.toImage(await svc.inspect(name));
  });
}

/**
 * Convert under the locks of source and target, refused (Conflict `in_use`) for a disk a VM's qemu holds (running, or
 * starting: from a start's beginning): `qemu-img convert -p` to a hidden temp file, linked to the
 * target's name only when the output is safe as the rest of the server will read it (see {@link checkOutput}).
 * The source is read as `sourceFormat` (a VM's recorded format) or as detected. The answer comes when
 * qemu-img is done; `image.progress` events carry its percentage meanwhile.
 * @throws Conflict for an unsafe source or output (nothing is kept), qemu-img's refusals as Invalid.
 */
export async function convertImageOp(
  svc: ImageStore,
  name: string,
  req: z.output<typeof ConvertImageRequestSchema>,
  sourceFormat?: string,
): Promise<Image> {
  const target = svc.path(req.target);
  if (req.target === name) throw new Invalid('target: the target must be a new image');
  if (await svc.exists(req.target)) {
    throw new Conflict(ErrorCode.exists, `an image named ${req.target} already exists`);
  }
  return svc.locks.with([name, req.target], 'convert', async () => {
    // Taken with the lock, before any await: a start begun later refuses this image while it converts.
    const open = svc.running(name).find((u) => u.kind !== 'cdrom');
    if (open) {
      throw new Conflict(
        ErrorCode.inUse,
        `image ${name} is a disk of VM ${open.vmName}, whose qemu holds its lock: converting it would read a ` +
          'disk being written (power the VM off first)',
      );
    }
    const img = await svc.inspect(name, sourceFormat === undefined ? {} : { format: sourceFormat });
    usable(img, 'convert');
    const total = img.virtualSize;
    const progress = new ProgressReporter(svc.bus, { name, op: 'convert', total, target: req.target });
    progress.report(0, true);
    let output: InspectedImage | undefined;
    await convertImage(
      {
        source: svc.path(name),
        sourceFormat: img.qemuFormat,
        target,
        targetFormat: req.format,
        onProgress: (pct) => progress.report(Math.round((pct / 100) * total)),
        verify: async (temp) => {
          output = await checkOutput(svc, name, req, temp);
        },
      },
      { binary: svc.qemuImg },
    ).catch((err: unknown) => {
      throw fromQemuImg(err, `converting ${name} to ${req.format}`);
    });
    progress.finish();
    svc.changed();
    return svc.toImage(output ?? (await svc.inspect(req.target)));
  });
}

/**
 * The convert output as any later reader sees it: qemu-img detects its format (an upload, an attach, a VM
 * create do). A raw output whose bytes begin with an image header (the guest wrote one into its disk) reads
 * as that image, with whatever backing file the header names: it is refused, as is any output with a
 * problem or that qemu-img cannot read.
 * @throws Conflict
 */
async function checkOutput(
  svc: ImageStore,
  name: string,
  req: z.output<typeof ConvertImageRequestSchema>,
  temp: string,
): Promise<InspectedImage> {
  const refuse = (why: string) =>
    new Conflict(ErrorCode.conflict, `cannot convert ${name} to ${req.target}: ${why}; nothing was kept`);
  const out = await svc.inspect(req.target, { tempFile: temp }).catch((err: unknown) => {
    const why = qemuImgReason(err);
    throw refuse(`qemu-img cannot read the result: ${why}`);
  });
  if (out.problem !== undefined) {
    throw refuse(`the result reads as a ${out.qemuFormat} image: ${out.problem}`);
  }
  if (out.qemuFormat !== req.format) {
    throw refuse(
      `the result reads as a ${out.qemuFormat} image, not ${req.format} (its data begins with an image header)`,
    );
  }
  return out;
}
