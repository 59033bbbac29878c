import { TaskPageSchema, type TaskPage, type TaskStatus } from '@virtweb/protocol';
import { requestJson } from './http.ts';

/** `GET /api/tasks`'s query as the web app sends it (the server's TaskQuerySchema checks it). */
export interface TaskListQuery {
  user?: string;
  vm?: string;
  result?: TaskStatus;
  before?: number;
  limit?: number;
}

/** A page of the task log, newest first, filtered. */
export function listTasks(query: TaskListQuery): Promise<TaskPage> {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query) as [string, string | number | undefined][]) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return requestJson('GET', `/api/tasks${search ? `?${search}` : ''}`, TaskPageSchema);
}
