import { z } from 'zod';

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** Parses "10G", "512M", "1.5T", "1048576" (binary units, as qemu-img does) into bytes; null if malformed. */
export function parseSize(input: string | number): number | null {
  if (typeof input === 'number') return Number.isSafeInteger(input) ? input : null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(input);
  if (!m) return null;
  const unit = UNITS[(m[2] ?? '').toUpperCase()];
  if (unit === undefined) return null;
  const bytes = Math.round(Number(m[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** Human form of a byte count with binary units, e.g. 10737418240 -> "10 GiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits).replace(/\.0+$/, '')} ${units[i] ?? 'B'}`;
}

/** Largest disk size accepted by default (the server may lower it): 16 TiB. */
export const MAX_IMAGE_BYTES = 16 * 2 ** 40;

/** A size field: bytes as an integer or a string like "10G"; parsed to a positive byte count. */
export const SizeSchema = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const bytes = parseSize(v);
  if (bytes === null) {
    ctx.addIssue({
      code: 'custom',
      message: 'size must be bytes or a number with K, M, G or T (e.g. "10G")',
    });
    return z.NEVER;
  }
  if (bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: 'size must be positive' });
    return z.NEVER;
  }
  if (bytes > MAX_IMAGE_BYTES) {
    ctx.addIssue({ code: 'custom', message: `size must be at most ${formatBytes(MAX_IMAGE_BYTES)}` });
    return z.NEVER;
  }
  return bytes;
});
