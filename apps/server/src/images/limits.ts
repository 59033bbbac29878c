import { formatBytes, MAX_IMAGE_BYTES, parseSize } from '@virtweb/protocol';

/** Size limits of the image store, from the environment (sizes like "64G" or bytes). */
export interface ImageLimits {
  /** `VIRTWEB_MAX_UPLOAD` (default 64G): larger uploads are refused (TooLarge) before a byte is written. */
  maxUploadBytes: number;
  /** `VIRTWEB_MAX_IMAGE_SIZE` (default and ceiling 16T): the largest virtual size for create and resize. */
  maxImageBytes: number;
  /** Space an upload must leave free on the file system of the images dir (1 GiB). */
  reserveBytes: number;
}

const DEFAULT_MAX_UPLOAD = 64 * 2 ** 30;

/** @throws Error with a readable message for a malformed or non-positive size. */
export function imageLimitsFromEnv(env: NodeJS.ProcessEnv): ImageLimits {
  return {
    maxUploadBytes: sizeVar(env, 'VIRTWEB_MAX_UPLOAD', DEFAULT_MAX_UPLOAD),
    maxImageBytes: Math.min(sizeVar(env, 'VIRTWEB_MAX_IMAGE_SIZE', MAX_IMAGE_BYTES), MAX_IMAGE_BYTES),
    reserveBytes: 2 ** 30,
  };
}

function sizeVar(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const bytes = parseSize(raw);
  if (bytes === null || bytes <= 0) {
    throw new Error(
      `bad configuration: ${name}=${raw} is not a size like "64G" (at most ${formatBytes(fallback)})`,
    );
  }
  return bytes;
}
