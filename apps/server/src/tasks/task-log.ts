import { TASK_TEXT_LIMITS, type Task, type TaskPage, type TaskQuery } from '@virtweb/protocol';
import type { EventBus } from '../events/bus.ts';
import { progressOf, type ActiveTask } from './task-progress.ts';
import type { NewTask, TaskEnd, TasksRepo } from './tasks-repo.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** At most this many rows, whatever the retention: a flood of requests cannot fill the disk. */
export const MAX_TASK_ROWS = 100_000;
/** Besides daily, the log is pruned every this many new rows. */
const PRUNE_EVERY_ROWS = 1000;
/** Job ends seen before the answer that names the job (a job failing at once): kept this many. */
const MAX_EARLY_ENDS = 64;

/** Cuts free text to `max` characters (an ellipsis marks the cut). */
export function cap(text: string | undefined, max: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * The task log: every state-changing request begins a task and ends it with its answer; a long job's progress
 * (from the bus) goes on the task that started it until it ends. Recording never throws to its caller: a
 * failure to record is logged and the action goes on.
 */
export class TaskLog {
  private readonly active = new Map<number, ActiveTask>();
  private readonly earlyEnds = new Map<string, TaskEnd>();
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: TasksRepo,
    private readonly bus: EventBus,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Marks what the last run left running as interrupted, prunes, and follows the bus; prunes daily. */
  start(): void {
    this.safely(() => {
      const n = this.repo.markInterrupted(this.now());
      if (n > 0) console.log(`virtweb: ${n} task(s) left running by the last run marked interrupted`);
    });
    this.prune();
    this.unsubscribe = this.bus.subscribe((event) => {
      for (const [id, task] of this.active) {
        const seen = progressOf(task, event);
        if (seen === undefined) continue;
        if (seen.end) this.end(id, seen.end);
        else if (seen.progress !== undefined) this.progress(id, seen.progress);
      }
      if (event.type === 'migration.updated') this.noteEarlyEnd(event.job.id, event);
    });
    this.timer = setInterval(() => this.prune(), DAY_MS);
    this.timer.unref();
  }

  /** Stops following; what still runs is marked interrupted (the server is going: their answers never come). */
  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    const running = [...this.active.keys()];
    this.active.clear();
    this.safely(() => {
      if (running.length > 0) this.repo.markInterrupted(this.now());
    });
  }

  /** Deletes tasks older than the retention (and any over MAX_TASK_ROWS). */
  prune(): void {
    this.safely(() => this.repo.prune(this.now() - this.retentionDays * DAY_MS, MAX_TASK_ROWS));
  }

  /** Records a task as running. @returns its id, or undefined when it could not be recorded */
  begin(task: NewTask): number | undefined {
    return this.safely(() => {
      const row = this.repo.insert({
        ...task,
        user: cap(task.user, TASK_TEXT_LIMITS.user) ?? '',
        client: cap(task.client, TASK_TEXT_LIMITS.client) ?? '',
        target: cap(task.target, TASK_TEXT_LIMITS.target),
      });
      this.active.set(row.id, { op: row.op, target: row.target, vmId: row.vmId });
      this.publish(row);
      // A flood of requests between the daily prunes stays within MAX_TASK_ROWS (give or take this interval).
      if (row.id % PRUNE_EVERY_ROWS === 0) this.prune();
      return row.id;
    });
  }

  /** Records how a task ended. */
  end(id: number, end: TaskEnd): void {
    if (!this.active.delete(id)) return; // already ended (or interrupted by stop)
    this.write(id, { ...end, endedAt: end.endedAt ?? this.now() });
  }

  /**
   * The task's answer came but its job goes on (`jobId`): the task stays running until the job ends (a job
   * that already ended ends it now).
   */
  follow(id: number, answer: TaskEnd & { jobId: string }): void {
    const early = this.earlyEnds.get(answer.jobId);
    if (early) {
      this.end(id, { ...answer, ...early, httpStatus: answer.httpStatus });
      return;
    }
    const task = this.active.get(id);
    if (!task) return;
    task.jobId = answer.jobId;
    this.write(id, { ...answer, status: 'running' });
  }

  list(q: TaskQuery): TaskPage {
    return { ...this.repo.list(q), users: this.repo.users() };
  }

  private progress(id: number, progress: number): void {
    this.safely(() => {
      const clamped = Math.min(1, Math.max(0, progress));
      this.repo.setProgress(id, clamped);
      const task = this.repo.get(id);
      if (task) this.publish(task);
    });
  }

  private noteEarlyEnd(jobId: string, event: Parameters<typeof progressOf>[1]): void {
    const seen = progressOf({ op: 'job', jobId }, event);
    if (!seen?.end) return;
    this.earlyEnds.set(jobId, seen.end);
    for (const key of this.earlyEnds.keys()) {
      if (this.earlyEnds.size <= MAX_EARLY_ENDS) break;
      this.earlyEnds.delete(key);
    }
  }

  private write(id: number, end: TaskEnd): void {
    this.safely(() => {
      this.publish(
        this.repo.update(id, {
          ...end,
          errorCode: cap(end.errorCode, TASK_TEXT_LIMITS.code),
          error: cap(end.error, TASK_TEXT_LIMITS.error),
          target: cap(end.target, TASK_TEXT_LIMITS.target),
        }),
      );
    });
  }

  private publish(task: Task): void {
    this.bus.publish({ type: 'task.updated', task });
  }

  private safely<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (err) {
      console.error('virtweb: the task log could not record', err);
      return undefined;
    }
  }
}
