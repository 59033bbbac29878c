import { formatBytes } from '@virtweb/protocol';

/** What a series measures; decides its legend, axis labels and tick steps. */
export type Unit = 'percent' | 'bytes' | 'rate' | 'ops' | 'pkts';

export { formatBytes };

/** CPU share: "0.4%", "12%", "187%" (above 100 with several busy vCPUs). */
export function formatPercent(v: number): string {
  return `${v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)}%`;
}

/** A byte rate with binary units: "0 B/s", "12.5 KiB/s", "3 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

/** Things per second: "0 ops/s", "3.5 ops/s", "1.2k pkts/s". */
function formatPerSecond(v: number, what: string): string {
  if (v >= 1000) return `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k ${what}/s`;
  return `${v < 10 ? v.toFixed(1).replace(/\.0$/, '') : Math.round(v)} ${what}/s`;
}

/** IO operations per second: "0 ops/s", "3.5 ops/s", "1.2k ops/s". */
export const formatOps = (v: number): string => formatPerSecond(v, 'ops');

/** Network packets per second: "0 pkts/s", "1.2k pkts/s". */
export const formatPackets = (v: number): string => formatPerSecond(v, 'pkts');

/** A value in its unit; null (not measured) reads as an em dash. */
export function formatValue(unit: Unit, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (unit) {
    case 'percent':
      return formatPercent(v);
    case 'bytes':
      return formatBytes(Math.round(v));
    case 'rate':
      return formatRate(v);
    case 'ops':
      return formatOps(v);
    case 'pkts':
      return formatPackets(v);
  }
}

const BINARY_MULTIPLES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/** Axis steps for byte scales that land on whole KiB/MiB/GiB (uPlot's `incrs`): no "47.7 MiB" ticks. */
export const BINARY_INCREMENTS: number[] = [0, 1, 2, 3].flatMap((power) =>
  BINARY_MULTIPLES.map((m) => m * 1024 ** power),
);

/** Axis steps for percent, ops and packet scales. */
export const DECIMAL_INCREMENTS: number[] = [
  0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 2000,
];
