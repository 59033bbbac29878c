import './charts.css';

interface Props {
  /** Oldest first; one value per second. */
  values: readonly number[];
  /** How many values fit in the width (so a short history starts at the right, like a scrolling chart). */
  capacity: number;
  /** Top of the scale; the data's own max when larger. */
  max: number;
  /** Accessible name, e.g. "CPU of web1: 12%". */
  label: string;
  tone?: 'cpu' | 'mem';
}

const W = 100;
const H = 24;

/** The polyline's points in a 100×24 box (values at the bottom are 0, at the top `max`). */
export function sparkPoints(values: readonly number[], capacity: number, max: number): string {
  const top = Math.max(max, ...values, 1e-9);
  const step = W / Math.max(capacity - 1, 1);
  const offset = Math.max(capacity - values.length, 0);
  return values
    .map((v, i) => `${((offset + i) * step).toFixed(1)},${(H - (Math.max(v, 0) / top) * (H - 1)).toFixed(1)}`)
    .join(' ');
}

/**
 * A tiny trend line without axes: one SVG polyline, cheap enough for a row per guest in a long list.
 * The line keeps a constant stroke width whatever size CSS gives the box.
 */
export function Sparkline({ values, capacity, max, label, tone = 'cpu' }: Props) {
  const points = sparkPoints(values, capacity, max);
  return (
    <svg
      className={`sparkline sparkline-${tone}`}
      viewBox={`0 0 ${W} ${H}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
    >
      {values.length > 1 && (
        <>
          <polygon
            className="sparkline-area"
            points={`${points} ${W},${H} ${sparkStart(values, capacity)},${H}`}
          />
          <polyline className="sparkline-line" points={points} vectorEffect="non-scaling-stroke" />
        </>
      )}
    </svg>
  );
}

function sparkStart(values: readonly number[], capacity: number): string {
  const step = W / Math.max(capacity - 1, 1);
  return (Math.max(capacity - values.length, 0) * step).toFixed(1);
}
