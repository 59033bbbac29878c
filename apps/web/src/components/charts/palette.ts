/** Line colours readable on light and dark backgrounds, in the order series get them. */
export const PALETTE = [
  '#3b7dd8',
  '#e8590c',
  '#2f9e44',
  '#ae3ec9',
  '#d6336c',
  '#1098ad',
  '#f59f00',
  '#74b816',
] as const;

/** The colour of the n-th series (wraps around). */
export const colorAt = (n: number): string => PALETTE[n % PALETTE.length] ?? '#3b7dd8';
