import { infiniteQueryOptions, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import type { Task, TaskPage } from '@virtweb/protocol';
import { listTasks } from '../api/tasks.ts';
import { withTask, type TaskFilters } from './taskPages.ts';

export const taskKeys = {
  all: ['tasks'] as const,
  list: (filters: TaskFilters) => ['tasks', filters] as const,
};

const PAGE = 50;

/** The task log with these filters, a page at a time (older pages on demand); kept live by `task.updated`. */
export const tasksQuery = (filters: TaskFilters) =>
  infiniteQueryOptions({
    queryKey: taskKeys.list(filters),
    queryFn: ({ pageParam }) =>
      listTasks({ ...filters, limit: PAGE, ...(pageParam === undefined ? {} : { before: pageParam }) }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last: TaskPage) => last.next,
  });

/** Stores a `task.updated` event in every task list loaded (see withTask). */
export function storeTask(client: QueryClient, task: Task): void {
  const lists = client.getQueriesData<InfiniteData<TaskPage, number | undefined>>({ queryKey: taskKeys.all });
  for (const [key, data] of lists) {
    if (!data) continue;
    const filters = (key[1] ?? {}) as TaskFilters;
    const pages = withTask(data.pages, task, filters);
    if (pages !== data.pages) client.setQueryData(key, { ...data, pages });
  }
}
