import type { ServerEvent, SnapshotJobKind } from '@virtweb/protocol';
import type { TaskEnd } from './tasks-repo.ts';

/** What the task log follows of a running task: its operation, target and job. */
export interface ActiveTask {
  op: string;
  target?: string | undefined;
  vmId?: string | undefined;
  jobId?: string | undefined;
}

/** What an event says of a task: how far it got, or how it ended. */
export interface TaskNews {
  progress?: number;
  end?: TaskEnd;
}

/** The task operation of each snapshot job (the route that started it). */
const SNAPSHOT_OPS: Record<SnapshotJobKind, string> = {
  'snapshot-save': 'vm.snapshot.create',
  'snapshot-load': 'vm.snapshot.revert',
  'snapshot-delete': 'vm.snapshot.delete',
};

const fraction = (done: number, total: number): number => (total > 0 ? done / total : 0);

/**
 * What `event` says of `task`, or undefined when it is not about it: an image operation's bytes, a snapshot
 * job's progress, a migration, save or restore job's progress and end.
 */
export function progressOf(task: ActiveTask, event: ServerEvent): TaskNews | undefined {
  switch (event.type) {
    case 'image.progress':
      if (task.op !== `image.${event.op}` || task.target !== event.name) return undefined;
      return { progress: fraction(event.done, event.total) };
    case 'vm.storage-job':
      if (task.vmId !== event.id || task.op !== SNAPSHOT_OPS[event.job.kind]) return undefined;
      return event.job.progress === undefined ? {} : { progress: event.job.progress };
    case 'migration.updated': {
      const job = event.job;
      if (task.jobId !== job.id) return undefined;
      if (job.phase === 'completed') return { end: { status: 'ok' } };
      if (job.phase === 'failed' || job.phase === 'cancelled') {
        const errorCode = job.phase === 'cancelled' ? 'cancelled' : 'job_failed';
        return { end: { status: 'failed', errorCode, error: job.error ?? job.phase } };
      }
      return job.progress === undefined ? {} : { progress: job.progress.fraction };
    }
    default:
      return undefined;
  }
}
