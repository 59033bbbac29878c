import { GuestJobError } from './errors.ts';
import type { QmpClient, QmpCommandReturn, QmpEventMessage } from '@virtweb/qmp';

type JobInfo = QmpCommandReturn<'query-jobs'>[number];

/** A QMP job that concluded with an error; `message` is qemu's own text. */
export class QmpJobError extends GuestJobError {
  override name = 'QmpJobError';
}

export interface JobUpdate {
  status: string;
  /** 0..1 when qemu reports a total. */
  progress?: number;
}

export interface RunJobOptions {
  jobId: string;
  /** Issues the command that creates job `jobId` (e.g. `snapshot-save`). */
  start: () => Promise<unknown>;
  onUpdate: (update: JobUpdate) => void;
  /** Default 30 min: a snapshot of a large guest under TCG takes a while. */
  timeoutMs?: number;
  /** How often `query-jobs` is asked for progress while the job runs (events carry no progress). */
  pollMs?: number;
}

/**
 * Runs a QMP job to its end: follows JOB_STATUS_CHANGE (and `query-jobs`, for progress and in case an event
 * is missed), reads the job's error once it is `concluded`, then dismisses it so it does not linger in qemu.
 * @throws QmpJobError with qemu's error text; QmpExecuteError when qemu refuses to create the job; a QmpError
 *   when the connection ends first; Error on timeout.
 */
export function runQmpJob(qmp: QmpClient, opts: RunJobOptions): Promise<void> {
  const { jobId, onUpdate } = opts;
  return new Promise<void>((resolve, reject) => {
    let concluding = false;
    let settled = false;
    let lastReported = '';
    const report = (u: JobUpdate) => {
      const key = `${u.status}/${u.progress ?? ''}`;
      if (key === lastReported) return;
      lastReported = key;
      onUpdate(u);
    };
    const finish = (err?: unknown) => {
      if (settled) return;
      settled = true;
      qmp.off('JOB_STATUS_CHANGE', onStatus);
      qmp.off('close', onClose);
      clearInterval(poll);
      clearTimeout(timer);
      if (err === undefined) resolve();
      else reject(err instanceof Error ? err : new Error(`job ${jobId} failed`, { cause: err }));
    };
    const conclude = async (): Promise<void> => {
      if (concluding) return;
      concluding = true;
      const info = (await qmp.execute('query-jobs')).find((j) => j.id === jobId);
      await qmp.execute('job-dismiss', { id: jobId }).catch(() => undefined);
      finish(info?.error === undefined ? undefined : new QmpJobError(jobId, info.error));
    };
    const check = async (): Promise<void> => {
      const info: JobInfo | undefined = (await qmp.execute('query-jobs')).find((j) => j.id === jobId);
      if (!info) return;
      const total = info['total-progress'];
      report({
        status: info.status,
        ...(total > 0 ? { progress: Math.min(1, info['current-progress'] / total) } : {}),
      });
      if (info.status === 'concluded') await conclude();
    };
    const onStatus = (e: QmpEventMessage<'JOB_STATUS_CHANGE'>) => {
      if (e.data.id !== jobId) return;
      report({ status: e.data.status });
      if (e.data.status === 'concluded') conclude().catch(finish);
    };
    const onClose = () => finish(new Error(`qemu closed its QMP connection while job ${jobId} ran`));
    const poll = setInterval(() => void check().catch(finish), opts.pollMs ?? 1000);
    const timeoutMs = opts.timeoutMs ?? 30 * 60_000;
    const timer = setTimeout(
      () => finish(new Error(`job ${jobId} did not end within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    // Listen before starting: qemu may send the job's events before the command's reply.
    qmp.on('JOB_STATUS_CHANGE', onStatus);
    qmp.on('close', onClose);
    opts.start().catch(finish);
  });
}

/**
 * Dismisses concluded jobs whose id starts with `prefix`: left behind when a server died while following
 * them (qemu keeps a concluded job, and its id, until someone dismisses it).
 */
export async function dismissConcludedJobs(qmp: QmpClient, prefix: string): Promise<void> {
  for (const job of await qmp.execute('query-jobs')) {
    if (job.id.startsWith(prefix) && job.status === 'concluded')
      await qmp.execute('job-dismiss', { id: job.id });
  }
}
