import type { Task, TaskQuery, TaskStatus } from '@virtweb/protocol';
import type { Db } from '../store/db.ts';

interface TaskRow {
  id: number;
  op: string;
  route: string;
  user: string;
  via: Task['via'];
  scope: Task['scope'];
  client: string;
  target: string | null;
  vm_id: string | null;
  status: TaskStatus;
  http_status: number | null;
  error_code: string | null;
  error: string | null;
  progress: number | null;
  job_id: string | null;
  started_at: number;
  ended_at: number | null;
}

/** What a task is when it begins. */
export type NewTask = Pick<Task, 'op' | 'route' | 'user' | 'via' | 'scope' | 'client' | 'target' | 'vmId'> & {
  startedAt: number;
};

/** How a task ended (or, with `status: 'running'`, what its answer said while its job goes on). */
export interface TaskEnd {
  status: TaskStatus;
  httpStatus?: number | undefined;
  errorCode?: string | undefined;
  error?: string | undefined;
  /** Set late: a target or guest only the answer named (a created VM, a restored one). */
  target?: string | undefined;
  vmId?: string | undefined;
  jobId?: string | undefined;
  endedAt?: number | undefined;
}

function toTask(r: TaskRow): Task {
  const task: Task = {
    id: r.id,
    op: r.op,
    route: r.route,
    user: r.user,
    via: r.via,
    scope: r.scope,
    client: r.client,
    status: r.status,
    startedAt: new Date(r.started_at).toISOString(),
  };
  if (r.target !== null) task.target = r.target;
  if (r.vm_id !== null) task.vmId = r.vm_id;
  if (r.http_status !== null) task.httpStatus = r.http_status;
  if (r.error_code !== null) task.errorCode = r.error_code;
  if (r.error !== null) task.error = r.error;
  if (r.progress !== null) task.progress = r.progress;
  if (r.job_id !== null) task.jobId = r.job_id;
  if (r.ended_at !== null) {
    task.endedAt = new Date(r.ended_at).toISOString();
    task.durationMs = r.ended_at - r.started_at;
  }
  return task;
}

/** The `tasks` table: the task log's rows. */
export class TasksRepo {
  constructor(private readonly db: Db) {}

  insert(t: NewTask): Task {
    const info = this.db
      .prepare(
        `INSERT INTO tasks (op, route, user, via, scope, client, target, vm_id, status, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(t.op, t.route, t.user, t.via, t.scope, t.client, t.target ?? null, t.vmId ?? null, t.startedAt);
    return this.require(Number(info.lastInsertRowid));
  }

  get(id: number): Task | undefined {
    const row = this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return row && toTask(row);
  }

  /** Records an answer or an end; fields left undefined keep their value. */
  update(id: number, end: TaskEnd): Task {
    this.db
      .prepare(
        `UPDATE tasks SET status = ?, http_status = COALESCE(?, http_status),
           error_code = COALESCE(?, error_code), error = COALESCE(?, error), target = COALESCE(?, target),
           vm_id = COALESCE(?, vm_id), job_id = COALESCE(?, job_id), ended_at = COALESCE(?, ended_at)
         WHERE id = ?`,
      )
      .run(
        end.status,
        end.httpStatus ?? null,
        end.errorCode ?? null,
        end.error ?? null,
        end.target ?? null,
        end.vmId ?? null,
        end.jobId ?? null,
        end.endedAt ?? null,
        id,
      );
    return this.require(id);
  }

  setProgress(id: number, progress: number): void {
    this.db.prepare(`UPDATE tasks SET progress = ? WHERE id = ? AND status = 'running'`).run(progress, id);
  }

  /** Marks every task still running as interrupted (the server that ran them stopped). @returns how many */
  markInterrupted(at: number): number {
    return this.db
      .prepare(`UPDATE tasks SET status = 'interrupted', ended_at = ? WHERE status = 'running'`)
      .run(at).changes;
  }

  /** Deletes tasks that began before `before` and all but the newest `keep`. @returns how many went */
  prune(before: number, keep: number): number {
    const old = this.db.prepare('DELETE FROM tasks WHERE started_at < ?').run(before).changes;
    const over = this.db
      .prepare('DELETE FROM tasks WHERE id <= (SELECT MAX(id) FROM tasks) - ?')
      .run(keep).changes;
    return old + over;
  }

  /** A page of tasks, newest first, and the `before` of the next page when there is one. */
  list(q: TaskQuery): { tasks: Task[]; next?: number } {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const filters: [string, string | number | undefined][] = [
      ['user = ?', q.user],
      ['vm_id = ?', q.vm],
      ['status = ?', q.result],
      ['id < ?', q.before],
    ];
    for (const [clause, value] of filters) {
      if (value === undefined) continue;
      where.push(clause);
      args.push(value);
    }
    const sql = `SELECT * FROM tasks ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY id DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...args, q.limit + 1) as TaskRow[];
    const page = rows.slice(0, q.limit).map(toTask);
    const last = page.at(-1);
    return rows.length > q.limit && last ? { tasks: page, next: last.id } : { tasks: page };
  }

  /** Every user that appears in the log. */
  users(): string[] {
    const rows = this.db.prepare('SELECT DISTINCT user FROM tasks ORDER BY user').all() as {
      user: string;
    }[];
    return rows.map((r) => r.user);
  }

  private require(id: number): Task {
    const task = this.get(id);
    if (!task) throw new Error(`task ${id} vanished`);
    return task;
  }
}
