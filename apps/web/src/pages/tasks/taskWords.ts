import type { Task, TaskStatus } from '@virtweb/protocol';

/** Each result as the filter and the badge say it. */
export const STATUS_WORDS: Record<TaskStatus, string> = {
  running: 'running',
  ok: 'OK',
  failed: 'failed',
  interrupted: 'interrupted',
};

export const STATUSES = Object.keys(STATUS_WORDS) as TaskStatus[];

/** "40 ms", "1.4 s", "12 s", "3 min 4 s", "2 h 5 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** Who, in words: "admin", or "token ci-bot (operate)". */
export function whoWords(task: Task): string {
  return task.via === 'session' ? task.user : `token ${task.user} (${task.scope})`;
}

/** What went wrong, in one line: "HTTP 409 · wrong_state". */
export function failureWords(task: Task): string {
  return [task.httpStatus === undefined ? undefined : `HTTP ${task.httpStatus}`, task.errorCode]
    .filter((s) => s !== undefined)
    .join(' · ');
}
