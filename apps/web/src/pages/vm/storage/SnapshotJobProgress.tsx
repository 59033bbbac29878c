import { useStorageJob } from '../../../queries/vmStorage.ts';

const WHAT = {
  'snapshot-save': 'Taking snapshot',
  'snapshot-load': 'Reverting to snapshot',
  'snapshot-delete': 'Deleting snapshot',
} as const;

/** The snapshot job running on a guest (whoever started it), from the events socket. */
export function SnapshotJobProgress({ vmId }: { vmId: string }) {
  const job = useStorageJob(vmId);
  if (!job) return null;
  const label = `${WHAT[job.kind]} ${job.snapshot}`;
  const pct = job.progress === undefined ? undefined : Math.floor(job.progress * 100);
  return (
    <div className="progress" role="status">
      {/* Without a known total the bar is indeterminate (no value). */}
      <progress aria-label={label} max={100} {...(pct === undefined ? {} : { value: pct })} />
      <output>
        {label}… <span className="muted">qemu: {job.status}</span>
      </output>
    </div>
  );
}
