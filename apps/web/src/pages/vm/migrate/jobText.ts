import {
  formatBytes,
  type MigrationJob,
  type MigrationPhase,
  type MigrationProgress,
  type VmState,
} from '@virtweb/protocol';

// Words for migration, save and restore jobs: the progress area and the result line of the VM page.

export type JobKind = MigrationJob['kind'];

/** What a job does, as a heading: "Migrating web1 to host-b". */
export function jobTitle(job: Pick<MigrationJob, 'kind' | 'vmName' | 'targetName'>): string {
  switch (job.kind) {
    case 'live':
      return `Migrating ${job.vmName} to ${job.targetName}`;
    case 'offline':
      return `Moving ${job.vmName} (stopped) to ${job.targetName}`;
    case 'save':
      return `Saving the state of ${job.vmName} to ${job.targetName}`;
    case 'restore':
      return `Restoring ${job.vmName} from ${job.targetName}`;
  }
}

const PHASE: Record<MigrationPhase, string> = {
  checking: 'checking the preconditions',
  preparing: 'preparing the target',
  mirroring: 'copying the disks',
  migrating: 'copying the memory',
  postcopy: 'post-copy: running on the target, the rest follows on demand',
  switching: 'switching over',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** The phase in plain words; saves and restores move a file, not memory to a peer. */
export function phaseText(kind: JobKind, phase: MigrationPhase): string {
  if (phase === 'migrating' && kind === 'save') return 'writing the state file';
  if (phase === 'migrating' && kind === 'restore') return 'reading the state file';
  if (phase === 'migrating' && kind === 'offline') return 'copying the disks and the definition';
  return PHASE[phase];
}

/** 0..100 for the <progress> bar. */
export function percentOf(progress: Pick<MigrationProgress, 'fraction'>): number {
  const f = Number.isFinite(progress.fraction) ? progress.fraction : 0;
  return Math.floor(Math.min(1, Math.max(0, f)) * 100);
}

export interface Fact {
  label: string;
  value: string;
}

const ms = (n: number) => `${Math.round(n)} ms`;

/**
 * The numbers under the bar. Transferred/remaining/total always; the memory figures (dirty pages, expected
 * downtime, passes) only for a live migration, where they tell whether it converges.
 */
export function progressFacts(kind: JobKind, p: MigrationProgress): Fact[] {
  const facts: Fact[] = [
    { label: 'Transferred', value: formatBytes(p.transferredBytes) },
    { label: 'Remaining', value: formatBytes(p.remainingBytes) },
    { label: 'Total', value: formatBytes(p.totalBytes) },
  ];
  if (p.disk) {
    facts.push({
      label: 'Disks copied',
      value: `${formatBytes(p.disk.copiedBytes)} of ${formatBytes(p.disk.totalBytes)}`,
    });
  }
  if (kind === 'live') {
    facts.push({ label: 'Dirty pages', value: `${Math.round(p.dirtyPagesRate)} pages/s` });
    if (p.expectedDowntimeMs !== undefined) {
      facts.push({ label: 'Expected downtime', value: ms(p.expectedDowntimeMs) });
    }
    facts.push({ label: 'Passes', value: String(p.passes) });
  }
  // qemu's `mbps` is megabits per second.
  if (p.mbps !== undefined) facts.push({ label: 'Speed', value: `${p.mbps.toFixed(1)} Mbit/s` });
  return facts;
}

export interface JobOutcome {
  ok: boolean;
  text: string;
}

const took = (job: MigrationJob) => (job.totalTimeMs === undefined ? '' : ` in ${ms(job.totalTimeMs)}`);

/** Where the guest is now, from its state on this host (a failed switch-over can leave it paused). */
function whereNow(state: VmState | undefined): string {
  if (state === undefined) return '';
  return state === 'running' ? ' The guest keeps running here.' : ` The guest is ${state} here.`;
}

/**
 * How it ended: a failure with the server's reason (which says where the guest is), a cancel with the guest's
 * state here (the server's words for a cancel add nothing).
 */
function undone(what: string, job: MigrationJob, state: VmState | undefined): JobOutcome {
  if (job.phase === 'cancelled') return { ok: false, text: `${what} was cancelled.${whereNow(state)}` };
  if (job.error) return { ok: false, text: `${what} failed: ${job.error}.` };
  return { ok: false, text: `${what} failed.${whereNow(state)}` };
}

/** The line shown once a job has ended, or undefined while it runs. `state`: the VM's, if it is still here. */
export function jobOutcome(job: MigrationJob, state?: VmState): JobOutcome | undefined {
  const { phase, kind, targetName } = job;
  if (phase !== 'completed' && phase !== 'failed' && phase !== 'cancelled') return undefined;
  const completed = phase === 'completed';
  switch (kind) {
    case 'live':
      if (completed) {
        const downtime = job.downtimeMs === undefined ? '' : ` (downtime ${ms(job.downtimeMs)})`;
        return { ok: true, text: `Moved to ${targetName}${took(job)}${downtime}.` };
      }
      return undone(`Migration to ${targetName}`, job, state);
    case 'offline':
      if (completed) return { ok: true, text: `Moved to ${targetName}${took(job)}.` };
      return undone(`Moving to ${targetName}`, job, state);
    case 'save':
      if (completed) {
        return { ok: true, text: `Saved the state to ${targetName}${took(job)}. The guest is stopped.` };
      }
      return undone('Saving the state', job, state);
    case 'restore':
      if (completed) return { ok: true, text: `Restored from ${targetName}${took(job)}.` };
      return undone(`Restoring from ${targetName}`, job, state);
  }
}

/** A live or offline move that finished: the guest now runs (or is defined) on the peer. */
export function isCompletedMove(job: Pick<MigrationJob, 'kind' | 'phase'>): boolean {
  return job.phase === 'completed' && (job.kind === 'live' || job.kind === 'offline');
}
