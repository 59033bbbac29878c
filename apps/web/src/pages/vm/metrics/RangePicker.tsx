import { useId } from 'react';
import type { MetricsRange } from '@virtweb/protocol';

const LABELS: Record<MetricsRange, string> = {
  '5m': '5 min',
  '1h': '1 hour',
  '24h': '24 hours',
  '7d': '7 days',
};

interface Props<R extends MetricsRange> {
  ranges: readonly R[];
  value: R;
  onChange: (range: R) => void;
}

/** A segmented control over native radio buttons (arrow keys move, the choice is announced). */
export function RangePicker<R extends MetricsRange>({ ranges, value, onChange }: Props<R>) {
  const name = useId();
  return (
    <fieldset className="segmented">
      <legend>Time range</legend>
      {ranges.map((r) => (
        <label key={r} className={r === value ? 'segment segment-on' : 'segment'}>
          <input type="radio" name={name} value={r} checked={r === value} onChange={() => onChange(r)} />
          {LABELS[r]}
        </label>
      ))}
    </fieldset>
  );
}
