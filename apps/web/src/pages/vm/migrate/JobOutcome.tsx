import { Link } from 'react-router-dom';
import type { MigrationJob, VmState } from '@virtweb/protocol';
import { isCompletedMove, jobOutcome } from './jobText.ts';

/**
 * How an ended job went: "Moved to host-b in 2140 ms (downtime 41 ms)" with a link to the guests (where the
 * guest is now listed under the peer), or why it failed or was cancelled.
 */
export function JobOutcome({
  job,
  vmState,
  onDismiss,
}: {
  job: MigrationJob;
  /** The VM's state, while it is defined here. */
  vmState?: VmState;
  onDismiss?: () => void;
}) {
  const outcome = jobOutcome(job, vmState);
  if (!outcome) return null;
  return (
    <div className={outcome.ok ? 'panel job-outcome job-ok' : 'panel job-outcome job-problem'} role="status">
      <div>
        <p>{outcome.text}</p>
        {job.notes && job.notes.length > 0 && (
          <ul className="job-notes">
            {job.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        )}
      </div>
      <div className="actions">
        {isCompletedMove(job) && <Link to="/vms">Show it in the guests of {job.targetName}</Link>}
        {onDismiss && (
          <button type="button" className="btn btn-quiet" onClick={onDismiss}>
            Dismiss
          </button>
        )}
      </div>
    </div>
  );
}
