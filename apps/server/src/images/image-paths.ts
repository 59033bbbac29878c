import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ImageNameSchema } from '@virtweb/protocol';
import { Invalid, invalidFields } from '../domain/errors.ts';

/** Work-in-progress files (uploads, qemu-img output) are hidden and end in `.part`; never listed or addressed. */
const PART = '.part';

/**
 * The absolute path of an image inside the images dir. The name is validated again here (not only at the
 * HTTP edge) so no caller can reach a path outside the data dir.
 * @throws Invalid for a name that is not a plain file name (or names a work-in-progress file).
 */
export function imagePath(imagesDir: string, name: string): string {
  const parsed = ImageNameSchema.safeParse(name);
  if (!parsed.success) throw invalidFields(parsed.error);
  if (parsed.data.endsWith(PART)) {
    throw new Invalid(`name: "${PART}" names are reserved for unfinished files`, [
      { path: 'name', message: `must not end in "${PART}"` },
    ]);
  }
  const full = path.join(imagesDir, parsed.data);
  if (path.dirname(full) !== path.resolve(imagesDir)) throw new Error(`image path escapes ${imagesDir}`);
  return full;
}

/** Files that are work in progress or hidden never show up as images. */
export function isListedImageFile(name: string): boolean {
  return ImageNameSchema.safeParse(name).success && !name.endsWith(PART);
}

/** A hidden temp name next to the image for an upload in progress. */
export function uploadTempPath(imagesDir: string, name: string): string {
  return path.join(imagesDir, `.upload.${name}.${randomBytes(4).toString('hex')}${PART}`);
}

/** Hidden `.part` files a crash may have left behind (no operation runs when this is called). */
export async function removeLeftoverParts(imagesDir: string): Promise<string[]> {
  const names = (await fs.readdir(imagesDir)).filter((n) => n.startsWith('.') && n.endsWith(PART));
  await Promise.all(names.map((n) => fs.rm(path.join(imagesDir, n), { force: true })));
  return names;
}

/**
 * The path the kernel (and so qemu) opens for `name` named by a file in `dir`: a relative name is appended
 * without folding `..` away (after a symlink, `..` climbs from the link's target, not from the link).
 */
export function openedPath(dir: string, name: string): string {
  return path.isAbsolute(name) ? name : `${path.resolve(dir)}/${name}`;
}

/**
 * True for a name qemu reads as a protocol (`nbd:`, `json:`, `http:`...) rather than a file: a colon before
 * any slash (qemu's path_has_protocol()).
 */
export function namesProtocol(name: string): boolean {
  return /^[^/:]*:/.test(name);
}

/** Where `file` leads after every symlink, or null when it does not exist. */
async function realPaths(imagesDir: string, file: string): Promise<{ dir: string; real: string } | null> {
  try {
    const [dir, real] = await Promise.all([fs.realpath(imagesDir), fs.realpath(openedPath(imagesDir, file))]);
    return { dir, real };
  } catch {
    return null;
  }
}

/**
 * Where a file really is, relative to the images dir: its image name when it resolves (symlinks followed)
 * to a file directly in the images dir, else null (outside the store, or missing).
 */
export async function storeNameOf(imagesDir: string, file: string): Promise<string | null> {
  const found = await realPaths(imagesDir, file);
  if (found === null || path.dirname(found.real) !== found.dir) return null;
  const name = path.basename(found.real);
  return isListedImageFile(name) ? name : null;
}

/** True when a file resolves (symlinks followed) to an entry directly in the images dir, hidden ones included. */
export async function isInsideStore(imagesDir: string, file: string): Promise<boolean> {
  const found = await realPaths(imagesDir, file);
  return found !== null && path.dirname(found.real) === found.dir;
}
