import type { Task, TaskPage } from '@virtweb/protocol';
import type { TaskListQuery } from '../api/tasks.ts';

/** The filters of a task list (the server's query without paging). */
export type TaskFilters = Pick<TaskListQuery, 'user' | 'vm' | 'result'>;

/** True when `task` belongs in a list with these filters. */
export function matchesFilters(task: Task, f: TaskFilters): boolean {
  return (
    (f.user === undefined || task.user === f.user) &&
    (f.vm === undefined || task.vmId === f.vm) &&
    (f.result === undefined || task.status === f.result)
  );
}

/**
 * The pages of a task list after `task` began, advanced or ended: replaced where it is (dropped when it no
 * longer matches, e.g. a running one that ended under the "running" filter), added on top when newer than
 * every task shown and matching. Returns the same pages when nothing changes.
 */
export function withTask(pages: TaskPage[], task: Task, f: TaskFilters): TaskPage[] {
  const matches = matchesFilters(task, f);
  const at = pages.findIndex((p) => p.tasks.some((t) => t.id === task.id));
  if (at >= 0) {
    return pages.map((p, i) =>
      i !== at
        ? p
        : {
            ...p,
            tasks: matches
              ? p.tasks.map((t) => (t.id === task.id ? task : t))
              : p.tasks.filter((t) => t.id !== task.id),
          },
    );
  }
  const [first, ...rest] = pages;
  const newest = first?.tasks[0]?.id ?? 0;
  if (!first || !matches || task.id <= newest) return pages;
  const users = first.users.includes(task.user) ? first.users : [...first.users, task.user].sort();
  return [{ ...first, tasks: [task, ...first.tasks], users }, ...rest];
}
