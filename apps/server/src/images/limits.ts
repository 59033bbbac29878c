import { MAX_IMAGE_BYTES } from '@virtweb/protocol';

/** Size limits of the image store (set in config.ts from VIRTWEB_MAX_UPLOAD and VIRTWEB_MAX_IMAGE_SIZE). */
export interface ImageLimits {
  /** `VIRTWEB_MAX_UPLOAD` (default 64G): larger uploads are refused (TooLarge) before a byte is written. */
  maxUploadBytes: number;
  /** `VIRTWEB_MAX_IMAGE_SIZE` (default and ceiling 16T): the largest virtual size for create and resize. */
  maxImageBytes: number;
  /** Space an upload must leave free on the file system of the images dir (1 GiB). */
  reserveBytes: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxUploadBytes: 64 * 2 ** 30,
  maxImageBytes: MAX_IMAGE_BYTES,
  reserveBytes: 2 ** 30,
};
