import { Link } from 'react-router-dom';
import type { MigrationJob } from '@virtweb/protocol';
import { JobOutcome } from './JobOutcome.tsx';
import './migrate.css';

/** The page of a guest that moved to a peer and is no longer defined here: how the move went, and where. */
export function VmMovedAway({ job }: { job: MigrationJob }) {
  return (
    <section aria-labelledby="vm-title">
      <p className="crumbs">
        <Link to="/vms">Guests</Link> /
      </p>
      <h1 id="vm-title">
        {job.vmName} moved to {job.targetName}
      </h1>
      <JobOutcome job={job} />
    </section>
  );
}
