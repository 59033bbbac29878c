import type { MigrationJob, MigrationPhase } from '@virtweb/protocol';

// Pure rules for the cached list of migration jobs (migrations, saves, restores); no react-query here.

const ENDED: ReadonlySet<MigrationPhase> = new Set(['completed', 'failed', 'cancelled']);

export function isJobEnded(job: Pick<MigrationJob, 'phase'>): boolean {
  return ENDED.has(job.phase);
}

/**
 * The list with `job` put in (replacing the job with its id, or in front: the list is newest first). An
 * ended job is never replaced by a running one: a 202 answer can arrive after the event that ended it.
 */
export function upsertJob(list: readonly MigrationJob[], job: MigrationJob): MigrationJob[] {
  const at = list.findIndex((j) => j.id === job.id);
  if (at < 0) return [job, ...list];
  const known = list[at];
  if (known && isJobEnded(known) && !isJobEnded(job)) return [...list];
  return list.map((j, i) => (i === at ? job : j));
}

/** The newest job of a VM (its moves, saves and restores), or undefined. */
export function latestJobOf(list: readonly MigrationJob[], vmId: string): MigrationJob | undefined {
  let latest: MigrationJob | undefined;
  for (const job of list) {
    if (job.vmId !== vmId) continue;
    if (!latest || job.startedAt > latest.startedAt) latest = job;
  }
  return latest;
}
