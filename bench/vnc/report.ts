import { median, type Run, type Summary } from './measure.ts';

export interface PathRow {
  label: string;
  /** One per round, in round order. */
  runs: Run[];
  summary: Summary;
}

const perSecond = (r: Run, main: 'fps' | 'mbps'): number =>
  (main === 'fps' ? r.frames : r.bytes / 1e6) / r.seconds;

/**
 * `a` against `b` as the median of their per-round ratios: each round runs the paths back to back, so a
 * ratio within a round cancels the machine's drift from one round to the next.
 */
export function pairedRatio(a: PathRow, b: PathRow, main: 'fps' | 'mbps'): number {
  const n = Math.min(a.runs.length, b.runs.length);
  const ratios: number[] = [];
  for (let i = 0; i < n; i++) {
    const [ra, rb] = [a.runs[i], b.runs[i]];
    if (ra && rb && perSecond(rb, main) > 0) ratios.push(perSecond(ra, main) / perSecond(rb, main));
  }
  return median(ratios);
}

const fmt = (n: number | undefined, digits: number): string =>
  n === undefined || Number.isNaN(n) ? '-' : n.toFixed(digits);
const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}x` : '-');

/** A fixed-width table: one row per path, ratios of the row's main figure against websockify and raw. */
export function table(title: string, rows: PathRow[], main: 'fps' | 'mbps'): string {
  const ws = rows.find((r) => r.label.startsWith('websockify'));
  const raw = rows.find((r) => r.label.startsWith('raw'));
  const head = [
    'path',
    'frames/s',
    'MB/s',
    'p50 ms',
    'p99 ms',
    `${main === 'fps' ? 'fps' : 'MB/s'} vs websockify`,
    'vs raw',
    'relay CPU ms/GB',
  ];
  const body = rows.map((r) => [
    r.label,
    fmt(r.summary.fps, 1),
    fmt(r.summary.mbps, 0),
    fmt(r.summary.p50, 1),
    fmt(r.summary.p99, 1),
    ratio(ws ? pairedRatio(r, ws, main) : NaN),
    ratio(raw ? pairedRatio(r, raw, main) : NaN),
    fmt(r.summary.cpuMsPerGB, 0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [title, line(head), ...body.map(line)].join('\n');
}

/** "name: 98.1% of raw (target >= 97%) ok" style verdict lines. */
export function verdict(what: string, value: number, target: number, unit: 'percent' | 'times'): string {
  const shown = unit === 'percent' ? `${(value * 100).toFixed(1)}%` : `${value.toFixed(2)}x`;
  const want = unit === 'percent' ? `${(target * 100).toFixed(0)}%` : `${target.toFixed(1)}x`;
  return `  ${what}: ${shown} (target >= ${want}) ${value >= target ? 'ok' : 'MISSED'}`;
}
