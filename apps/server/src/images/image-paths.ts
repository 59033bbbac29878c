import path from 'node:path';
import { ImageNameSchema } from '@virtweb/protocol';
import { validationError } from '../http/errors.ts';

/**
 * The absolute path of an image inside the images dir. The name is validated again here (not only at the
 * HTTP edge) so no caller can reach a path outside the data dir.
 * @throws HttpError 400 for a name that is not a plain file name.
 */
export function imagePath(imagesDir: string, name: string): string {
  const parsed = ImageNameSchema.safeParse(name);
  if (!parsed.success) throw validationError(parsed.error);
  const full = path.join(imagesDir, parsed.data);
  if (path.dirname(full) !== path.resolve(imagesDir)) throw new Error(`image path escapes ${imagesDir}`);
  return full;
}

/** Files that are work in progress or hidden never show up as images. */
export function isListedImageFile(name: string): boolean {
  return ImageNameSchema.safeParse(name).success && !name.endsWith('.part');
}
