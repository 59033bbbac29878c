import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './charts.css';
import { chartOptions, type ChartSeries } from './chartOptions.ts';
import { formatValue, type Unit } from './format.ts';

export type { ChartSeries };

/** Columns for a chart: x in seconds since the epoch, then one array per series (null: no value then). */
export type ChartData = [number[], ...(number | null)[][]];

interface Props {
  /** Heading above the chart; also its accessible name. */
  title: string;
  series: readonly ChartSeries[];
  data: ChartData;
  unit: Unit;
  rightUnit?: Unit;
  windowSec: number;
  softMax?: number;
  height?: number;
  syncKey?: string;
}

const lastIndex = (data: uPlot.AlignedData): number => data[0].length - 1;

/**
 * A uPlot time-series chart. The plot is created once per configuration (series, units, window) and fed
 * new points with `setData`, so streaming one point a second redraws the canvas without rebuilding it;
 * it follows its container's width and is destroyed on unmount.
 */
export function TimeSeriesChart({
  title,
  series,
  data,
  unit,
  rightUnit,
  windowSec,
  softMax,
  height = 180,
  syncKey,
}: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(data);
  const titleId = useId();
  // Rebuild only when what the plot looks like changes, not when the series array is a new object.
  const shape = JSON.stringify({ series, unit, rightUnit, windowSec, softMax, height, syncKey });

  // Declared before the create effect: on a config change the new plot starts from the newest data.
  useEffect(() => {
    latest.current = data;
    plot.current?.setData(data);
    // How many points are plotted: lets tests see the chart stream without reaching into uPlot.
    if (box.current) box.current.dataset.points = String(data[0].length);
  }, [data]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const cfg = JSON.parse(shape) as Parameters<typeof chartOptions>[0];
    const u = new uPlot(chartOptions(cfg, Math.max(el.clientWidth, 200), el), latest.current, el);
    plot.current = u;
    const resize = new ResizeObserver(([entry]) => {
      const width = Math.floor(entry?.contentRect.width ?? 0);
      if (width > 0 && width !== u.width) u.setSize({ width, height: cfg.height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  return (
    <figure className="chart" aria-labelledby={titleId}>
      <figcaption id={titleId} className="chart-title">
        {title}
      </figcaption>
      <div ref={box} className="chart-plot" />
      <p className="visually-hidden" aria-live="off">
        {newestText(series, data, unit, rightUnit)}
      </p>
    </figure>
  );
}

/** The newest values in words, for screen readers (the canvas says nothing). */
function newestText(
  series: readonly ChartSeries[],
  data: ChartData,
  unit: Unit,
  rightUnit: Unit | undefined,
): string {
  const idx = lastIndex(data);
  if (idx < 0) return 'No samples yet.';
  return series
    .map((s, i) => {
      const v = data[i + 1]?.[idx];
      const u = s.axis === 'right' && rightUnit ? rightUnit : unit;
      return `${s.label}: ${formatValue(u, typeof v === 'number' ? v : null)}`;
    })
    .join(', ');
}
