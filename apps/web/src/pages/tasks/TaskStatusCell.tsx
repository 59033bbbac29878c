import type { Task } from '@virtweb/protocol';
import { failureWords, STATUS_WORDS } from './taskWords.ts';

/** A task's result: a badge (its word, so it reads the same without colour), a bar while it runs, why it failed. */
export function TaskStatusCell({ task }: { task: Task }) {
  const pct = task.progress === undefined ? undefined : Math.floor(task.progress * 100);
  return (
    <div className="task-status">
      <span className={`badge badge-task-${task.status}`}>{STATUS_WORDS[task.status]}</span>
      {task.status === 'running' && (
        <span className="task-progress">
          <progress
            aria-label={`Progress of ${task.op}`}
            max={100}
            {...(pct === undefined ? {} : { value: pct, 'aria-valuetext': `${pct}%` })}
          />
          <span>{pct === undefined ? '' : `${pct}%`}</span>
        </span>
      )}
      {task.status === 'failed' && (
        <span className="task-error">
          {failureWords(task)}
          {task.error && <span className="muted"> — {task.error}</span>}
        </span>
      )}
    </div>
  );
}
