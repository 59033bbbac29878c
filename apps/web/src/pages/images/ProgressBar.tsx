import { formatBytes } from '@virtweb/protocol';

/** A labelled `<progress>` (role progressbar) with the percentage and, for transfers, the rate in MB/s. */
export function ProgressBar({
  label,
  done,
  total,
  bytesPerSecond,
}: {
  label: string;
  done: number;
  total: number;
  bytesPerSecond?: number | undefined;
}) {
  const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
  const rate = bytesPerSecond === undefined ? '' : ` · ${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
  return (
    <div className="progress">
      <progress aria-label={label} max={100} value={pct} aria-valuetext={`${pct}%`} />
      <output aria-label={`${label}: status`}>
        {pct}% of {formatBytes(total)}
        {rate}
      </output>
    </div>
  );
}
