import { z } from 'zod';

// Names become file names and argv elements: a conservative charset, no leading dot, no "..".
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/** A file name inside `<data>/images` (disk images and ISOs). */
export const ImageNameSchema = z
  .string()
  .min(1, 'name is empty')
  .max(128, 'name is longer than 128 characters')
  .regex(SAFE_NAME, 'use letters, digits, ".", "_", "+" and "-"; no "/" and no leading dot')
  .refine((n) => !n.includes('..'), 'name must not contain ".."');

/** A guest's display name; unique per host. */
export const VmNameSchema = z
  .string()
  .min(1, 'name is empty')
  .max(64, 'name is longer than 64 characters')
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/, 'use letters, digits, ".", "_" and "-"; no spaces or leading dot');

/** Server-generated VM ids: 12 lowercase hex digits (short, because unix socket paths are limited to 107 bytes). */
export const VmIdSchema = z.string().regex(/^[0-9a-f]{12}$/, 'not a VM id');
