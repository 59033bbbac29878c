import { z } from 'zod';
import { ImageNameSchema } from './names.ts';
import { SizeSchema } from './size.ts';

/** Formats an image can be created in or converted to. */
export const ImageFormatSchema = z.enum(['qcow2', 'raw', 'vmdk', 'vdi']);
export type ImageFormat = z.infer<typeof ImageFormatSchema>;

/** Long-running operations on an image, the ones that report `image.progress`. */
export const ImageOperationSchema = z.enum(['upload', 'convert', 'resize']);
export type ImageOperation = z.infer<typeof ImageOperationSchema>;

/** What may hold an image: while one runs, others on that image are refused (409 `busy`). */
export const ImageActivitySchema = z.enum([...ImageOperationSchema.options, 'create', 'delete']);
export type ImageActivity = z.infer<typeof ImageActivitySchema>;

/** The error code of a 409 answered while another operation holds the image. */
export const IMAGE_BUSY = 'busy';

/** One image below another in a backing chain (the overlay's base first). */
export const BackingImageSchema = z.object({
  /** The image name when the file is in the images directory, else its path. */
  name: z.string(),
  format: z.string(),
  virtualSize: z.number(),
  /** False for a file outside the images directory: such an image is refused for convert, resize and use. */
  inStore: z.boolean(),
});
export type BackingImage = z.infer<typeof BackingImageSchema>;

/**
 * An old copy a move left behind: the VM moved to another host with a copy of this disk, so this file is not
 * its disk any more (never taken for it by a later move; deleting it is the usual thing to do).
 */
export const LeftBehindSchema = z.object({
  /** The VM's name when it moved. */
  vmName: z.string().max(256),
  /** The host it moved to (the peer's name). */
  host: z.string().max(256),
  /** When the move completed (ISO 8601). */
  movedAt: z.string().max(64),
});
export type LeftBehind = z.infer<typeof LeftBehindSchema>;

export const ImageSchema = z.object({
  name: z.string(),
  /** qemu-img's format name ("qcow2", "raw"), or "iso", "kernel", "initrd" for raw files that are those. */
  format: z.string(),
  virtualSize: z.number(),
  actualSize: z.number(),
  /** The backing file as written in the image header. */
  backingFile: z.string().optional(),
  /** The whole chain below this image (`qemu-img info --backing-chain`); empty for a standalone image. */
  backingChain: z.array(BackingImageSchema).default([]),
  /** Ids of the VMs whose definition uses this image (disk or CD). */
  usedBy: z.array(z.string()),
  /** The operation running on this image right now, if any. */
  operation: ImageActivitySchema.optional(),
  /** Why the image cannot be used as is (unreadable, broken or unsafe backing chain), in qemu-img's words. */
  problem: z.string().optional(),
  /** Set when this is an old copy a move left behind (see `LeftBehindSchema`). */
  leftBehind: LeftBehindSchema.optional(),
});
export type Image = z.infer<typeof ImageSchema>;

/** `POST /api/images`: an empty image, or with `backingImage` a qcow2 overlay on an image in the store. */
export const CreateImageRequestSchema = z
  .strictObject({
    name: ImageNameSchema,
    format: ImageFormatSchema,
    /** Required unless `backingImage` is given (the overlay then has the backing image's size). */
    size: SizeSchema.optional(),
    backingImage: ImageNameSchema.optional(),
  })
  .superRefine((req, ctx) => {
    if (req.backingImage === undefined && req.size === undefined) {
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'size is required (e.g. "10G")' });
    }
    if (req.backingImage !== undefined && req.format !== 'qcow2') {
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        message: 'an overlay on a backing image must be qcow2',
      });
    }
    if (req.backingImage !== undefined && req.backingImage === req.name) {
      ctx.addIssue({ code: 'custom', path: ['backingImage'], message: 'an image cannot back itself' });
    }
  });
export type CreateImageRequest = z.input<typeof CreateImageRequestSchema>;

/** `POST /api/images/:name/resize`. Making an image smaller needs `shrink: true` (data past the end is lost). */
export const ResizeImageRequestSchema = z.strictObject({
  size: SizeSchema,
  shrink: z.boolean().optional(),
});
export type ResizeImageRequest = z.input<typeof ResizeImageRequestSchema>;

/** `POST /api/images/:name/convert`: a new standalone image `target` in `format`; the source is only read. */
export const ConvertImageRequestSchema = z.strictObject({
  target: ImageNameSchema,
  format: ImageFormatSchema,
});
export type ConvertImageRequest = z.input<typeof ConvertImageRequestSchema>;

/** `PUT /api/images/:name/upload` answers the new image and the sha256 (hex) of the bytes received. */
export const UploadedImageSchema = ImageSchema.extend({ sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export type UploadedImage = z.infer<typeof UploadedImageSchema>;

/**
 * Progress of an operation, as the `image.progress` event carries it: `done` of `total` bytes (upload: bytes
 * received of Content-Length; convert: qemu-img's percentage of the source's virtual size; resize: 0 or 1 of 1).
 * For a convert `name` is the source and `target` the image being written.
 */
export const ImageProgressSchema = z.object({
  name: z.string(),
  op: ImageOperationSchema,
  done: z.number(),
  total: z.number(),
  target: z.string().optional(),
});
export type ImageProgress = z.infer<typeof ImageProgressSchema>;
