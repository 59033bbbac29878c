import { z } from 'zod';
import { ImageNameSchema } from './names.ts';
import { SizeSchema } from './size.ts';

export const ImageFormatSchema = z.enum(['qcow2', 'raw']);
export type ImageFormat = z.infer<typeof ImageFormatSchema>;

export const ImageSchema = z.object({
  name: z.string(),
  /** qemu-img's format name ("qcow2", "raw"), or "iso", "kernel", "initrd" for raw files that are those. */
  format: z.string(),
  virtualSize: z.number(),
  actualSize: z.number(),
  backingFile: z.string().optional(),
  /** Ids of the VMs whose definition uses this image (disk or CD). */
  usedBy: z.array(z.string()),
});
export type Image = z.infer<typeof ImageSchema>;

export const CreateImageRequestSchema = z.strictObject({
  name: ImageNameSchema,
  format: ImageFormatSchema,
  size: SizeSchema,
});
export type CreateImageRequest = z.input<typeof CreateImageRequestSchema>;
