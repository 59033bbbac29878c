// Quantiles and summaries shared by the benchmarks: each bench reports medians and p90/p99 of its samples.

/** The q-quantile by the nearest-rank method (q in 0..1): always one of the samples; NaN for none. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length, Math.max(1, Math.ceil(q * s.length)));
  return s[rank - 1] ?? NaN;
}

/** The middle sample, or the mean of the two middle ones. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

export interface Summary {
  n: number;
  median: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
}

export function summarize(xs: readonly number[]): Summary {
  return {
    n: xs.length,
    median: median(xs),
    p90: quantile(xs, 0.9),
    p99: quantile(xs, 0.99),
    min: xs.length === 0 ? NaN : Math.min(...xs),
    max: xs.length === 0 ? NaN : Math.max(...xs),
  };
}

/** `12.3 ms` style, for tables; `-` for NaN. */
export const ms = (x: number, digits = 1): string => (Number.isFinite(x) ? `${x.toFixed(digits)} ms` : '-');
export const ratio = (a: number, b: number): string =>
  Number.isFinite(a / b) && b !== 0 ? `${(a / b).toFixed(2)}x` : '-';

/** A fixed-width text table: the first row is the header. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        '  ' +
        row
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd(),
    )
    .join('\n');
}
