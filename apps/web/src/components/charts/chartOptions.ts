import type uPlot from 'uplot';
import { BINARY_INCREMENTS, DECIMAL_INCREMENTS, formatValue, type Unit } from './format.ts';

/** One line of a chart; `axis: 'right'` puts it on a second scale with its own unit (e.g. IO ops). */
export interface ChartSeries {
  label: string;
  color: string;
  axis?: 'left' | 'right';
  dash?: number[];
  /** Shade the area under the line (one series per chart, or it gets busy). */
  fill?: boolean;
}

export interface ChartConfig {
  series: readonly ChartSeries[];
  unit: Unit;
  rightUnit?: Unit;
  /** The x axis always spans this many seconds, ending at the newest point. */
  windowSec: number;
  /** The y axis reaches at least this far (100 for one core's %), more when the data does. */
  softMax?: number;
  height: number;
  /** Charts with the same key share the cursor: hovering one shows the values of all at that time. */
  syncKey?: string;
}

const incrsOf = (unit: Unit): number[] =>
  unit === 'bytes' || unit === 'rate' ? BINARY_INCREMENTS : DECIMAL_INCREMENTS;

/** The y range: from 0 to the larger of the data's max (+10%) and the soft max; never a flat 0..0. */
function yRange(softMax: number): uPlot.Scale.Range {
  return (_u, _min, max) => [0, Math.max(softMax, (Number.isFinite(max) ? max : 0) * 1.1, 1e-9)];
}

/** The colours of the page (light or dark), read from its CSS custom properties. */
function themeColors(el: HTMLElement): { text: string; grid: string } {
  const css = getComputedStyle(el);
  return {
    text: css.getPropertyValue('--muted').trim() || '#5b6474',
    grid: css.getPropertyValue('--border').trim() || '#d7dbe2',
  };
}

function axis(unit: Unit, side: 1 | 3, colors: { text: string; grid: string }, grid: boolean): uPlot.Axis {
  return {
    scale: side === 3 ? 'y' : 'y2',
    // uPlot's Axis.Side is an ambient const enum (1 = right, 3 = left): unreachable with isolatedModules.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
    side,
    stroke: colors.text,
    grid: { show: grid, stroke: colors.grid, width: 1 },
    ticks: { show: false },
    incrs: incrsOf(unit),
    size: 70,
    values: (_u, splits) => splits.map((v) => formatValue(unit, v)),
  };
}

const timeLabel = (seconds: number | null): string =>
  seconds === null ? '—' : new Date(seconds * 1000).toLocaleTimeString();

/** When the pointer is not over the chart, the legend shows the newest values instead of dashes. */
function showNewest(u: uPlot): void {
  const idx = u.data[0].length - 1;
  const hovering = (u.cursor.left ?? -1) >= 0;
  if (idx >= 0 && !hovering) u.setLegend({ idx });
}

/** uPlot options for a metrics chart: time on x, one or two value scales with units, live legend. */
export function chartOptions(cfg: ChartConfig, width: number, el: HTMLElement): uPlot.Options {
  const colors = themeColors(el);
  const { windowSec } = cfg;
  const now = () => Date.now() / 1000;
  const opts: uPlot.Options = {
    width,
    height: cfg.height,
    legend: { live: true },
    // After each redraw (new data) and when the pointer leaves.
    hooks: { draw: [showNewest], setCursor: [showNewest] },
    cursor: { drag: { x: false, y: false }, ...(cfg.syncKey ? { sync: { key: cfg.syncKey } } : {}) },
    scales: {
      x: {
        time: true,
        // The newest x from the data itself: with a single point uPlot passes max = min + 86400 / ms,
        // which is 1000 days on for timestamps in seconds.
        range: (u) => {
          const xs = u.data[0];
          const end = xs.length > 0 ? (xs[xs.length - 1] ?? now()) : now();
          return [end - windowSec, end];
        },
      },
      y: { range: yRange(cfg.softMax ?? 0) },
      ...(cfg.rightUnit ? { y2: { range: yRange(1) } } : {}),
    },
    axes: [
      { stroke: colors.text, grid: { stroke: colors.grid, width: 1 }, ticks: { show: false } },
      axis(cfg.unit, 3, colors, true),
      ...(cfg.rightUnit ? [axis(cfg.rightUnit, 1, colors, false)] : []),
    ],
    series: [
      { label: 'Time', value: (_u, v) => timeLabel(v) },
      ...cfg.series.map((s): uPlot.Series => {
        const unit = s.axis === 'right' && cfg.rightUnit ? cfg.rightUnit : cfg.unit;
        return {
          label: s.label,
          stroke: s.color,
          width: 1.5,
          scale: s.axis === 'right' ? 'y2' : 'y',
          ...(s.dash ? { dash: s.dash } : {}),
          ...(s.fill ? { fill: `${s.color}22` } : {}),
          value: (_u, v) => formatValue(unit, v),
        };
      }),
    ],
  };
  return opts;
}
