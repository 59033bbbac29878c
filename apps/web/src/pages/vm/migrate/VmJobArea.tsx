import { useState } from 'react';
import type { Vm } from '@virtweb/protocol';
import { useVmJob } from '../../../queries/migrations.ts';
import { isJobEnded } from '../../../queries/migrationJobs.ts';
import { SavedStatesPanel } from '../saved/SavedStatesPanel.tsx';
import { JobOutcome } from './JobOutcome.tsx';
import { JobProgress } from './JobProgress.tsx';
import './migrate.css';

/**
 * Between the VM's buttons and its tabs: the running migration/save/restore of this guest (from any browser:
 * `migration.updated` events), else how the last one ended until dismissed; then its saved states, if any.
 */
export function VmJobArea({ vm }: { vm: Vm }) {
  const job = useVmJob(vm.id);
  const [dismissed, setDismissed] = useState<string | null>(null);
  return (
    <>
      {job && !isJobEnded(job) && <JobProgress job={job} />}
      {job && isJobEnded(job) && dismissed !== job.id && (
        <JobOutcome job={job} vmState={vm.state} onDismiss={() => setDismissed(job.id)} />
      )}
      <SavedStatesPanel vm={vm} />
    </>
  );
}
